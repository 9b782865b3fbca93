// SPDX-License-Identifier: Apache-2.0

#if NATS
import Crypto
public import TocsinCore

/// How a log entry travels as a stream message.
///
/// - Payload: exactly the store's canonical record bytes (``HashChain/canonicalBytes(attributes:dataKind:data:ingestMilliseconds:ocsf:enrichment:)``),
///   so the hash chain can be computed over stream messages as over SQLite rows.
/// - `Nats-Msg-Id`: the hex SHA-256 of the length-prefixed `source` and `id`: the same event
///   gets the same id on every node (so JetStream drops the copy), two events never share one, and
///   no attribute value is exposed in headers.
/// - Subject: `<prefix>.<type tokens>`; each dot-separated part of the type is one subject token,
///   with bytes outside `[A-Za-z0-9_-]` written as `%XX` and an empty part as `%`. A type filter is
///   then an exact subject, and `<prefix>.auth.>` selects a type family.
public enum JetStreamRecord: Sendable {
    /// The message payload for `entry`, accepted at `ingestMilliseconds`.
    public static func payload(entry: LogEntry, ingestMilliseconds: Int64) -> [UInt8] {
        let event = entry.event
        return HashChain.canonicalBytes(
            attributes: JSONWriter().bytes(.object(event.attributes)),
            dataKind: HashChain.dataKind(event.data),
            data: HashChain.dataBytes(event.data),
            ingestMilliseconds: ingestMilliseconds,
            ocsf: entry.ocsf.map { JSONWriter().bytes($0) },
            enrichment: entry.enrichment.map { JSONWriter().bytes($0) }
        )
    }

    /// The deduplication id of the event with `source` and `id`.
    public static func messageID(source: String, id: String) -> String {
        var hasher = SHA256()
        withUnsafeBytes(of: UInt32(source.utf8.count).bigEndian) { hasher.update(bufferPointer: $0) }
        hasher.update(data: Array(source.utf8))
        hasher.update(data: Array(id.utf8))
        return Hex.encode(hasher.finalize())
    }

    /// The subject of an event of `type` under `prefix`.
    public static func subject(prefix: String, type: String) -> String {
        let tokens = type.split(separator: ".", omittingEmptySubsequences: false).map { part -> String in
            guard !part.isEmpty else {
                return "%"
            }
            var token = ""
            for byte in part.utf8 {
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
                    token.unicodeScalars.append(Unicode.Scalar(byte))
                default:
                    token += "%" + Hex.encode([byte]).uppercased()
                }
            }
            return token
        }
        return ([prefix] + tokens).joined(separator: ".")
    }

    /// Whether `filter` covers `subject`: the same subject, or, for a filter ending in `.>`, any subject
    /// with at least one more token under its prefix.
    public static func subject(_ subject: String, matches filter: String) -> Bool {
        guard filter.hasSuffix(".>") else {
            return subject == filter
        }
        let prefix = filter.dropLast()
        return subject.count > prefix.count && subject.hasPrefix(prefix)
    }

    /// Reads a stream message back as the event logged at `sequence`.
    ///
    /// The chain hash is empty: the cluster's chain lives in the chain store (``ChainStoreRecord``).
    ///
    /// - Throws: ``NATSError/Code/refused`` when the payload is not a Tocsin record.
    public static func loggedEvent(payload: [UInt8], sequence: Int64) throws(NATSError) -> LoggedEvent {
        var reader = ByteReader(bytes: payload)
        let corrupt = NATSError(
            code: .refused,
            message: "stream message \(sequence) is not a Tocsin record; only Tocsin may publish to the log's subjects"
        )
        guard reader.take(16) == Array("tocsin.record.v1".utf8), let ingest = reader.integer(UInt64.self),
            let attributeCount = reader.integer(UInt32.self), let attributes = reader.take(Int(attributeCount)),
            let kind = reader.take(1)?.first, let dataCount = reader.integer(UInt32.self),
            let data = reader.take(Int(dataCount))
        else {
            throw corrupt
        }
        var ocsf: JSONValue?
        var enrichment: JSONValue?
        while let tag = reader.take(1)?.first {
            guard let count = reader.integer(UInt32.self), let part = reader.take(Int(count)),
                let value = try? JSONParser().parse(part)
            else {
                throw corrupt
            }
            switch tag {
            case UInt8(ascii: "o"): ocsf = value
            case UInt8(ascii: "e"): enrichment = value
            default: throw corrupt
            }
        }
        guard let json = try? JSONParser().parse(attributes), var event = try? CloudEventDecoder().decode(json: json)
        else {
            throw corrupt
        }
        switch kind {
        case 0: event.data = nil
        case 1: event.data = .json(data)
        case 2: event.data = .text(String(decoding: data, as: UTF8.self))
        default: event.data = .binary(data)
        }
        return LoggedEvent(
            sequence: sequence,
            event: event,
            ingestMilliseconds: Int64(bitPattern: ingest),
            hash: [],
            ocsf: ocsf,
            enrichment: enrichment
        )
    }
}
#endif
