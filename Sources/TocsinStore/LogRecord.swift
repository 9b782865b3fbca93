// SPDX-License-Identifier: Apache-2.0

import Foundation
import GRDB
import TocsinCore

/// One row of the `events` table, as written and as read back.
struct LogRecord: Sendable {
    var sequence: Int64
    var source: String
    var id: String
    var type: String
    var subject: String?
    var timeMilliseconds: Int64?
    var attributes: [UInt8]
    var dataKind: UInt8
    var data: [UInt8]
    var ingestMilliseconds: Int64
    var previousHash: [UInt8]
    var hash: [UInt8]
    /// The OCSF view's JSON bytes, for native records.
    var ocsf: [UInt8]?
    /// The enrichment's JSON bytes, when enrichment found something at ingest.
    var enrichment: [UInt8]?

    static let columns =
        "seq, source, id, type, subject, time_ms, attributes, data_kind, data, ingest_ms, prev_hash, hash, ocsf, enrichment"
    /// The parts added to the table after its first version: a database no newer server has opened
    /// yet lacks them, and its records have none.
    static let laterColumns = ["ocsf", "enrichment"]

    /// ``columns`` for a database whose `events` table has only `present` of ``laterColumns``; the
    /// missing ones read as NULL (an old log that was never migrated still verifies).
    static func columns(present: Set<String>) -> String {
        laterColumns.reduce(columns) { list, column in
            present.contains(column) ? list : list.replacingOccurrences(of: ", \(column)", with: ", NULL AS \(column)")
        }
    }

    /// Inserts one record; bind ``arguments``.
    static let insertSQL = "INSERT INTO events (\(columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"

    /// Prepares a record for `entry` (everything but its place in the chain), off the writer's path.
    init(entry: LogEntry, ingestMilliseconds: Int64) {
        let event = entry.event
        self.sequence = 0
        self.source = event.source
        self.id = event.id
        self.type = event.type
        self.subject = event.subject
        self.timeMilliseconds = event.time?.epochMilliseconds
        self.attributes = JSONWriter().bytes(.object(event.attributes))
        self.dataKind = HashChain.dataKind(event.data)
        self.data = HashChain.dataBytes(event.data)
        self.ingestMilliseconds = ingestMilliseconds
        self.previousHash = []
        self.ocsf = entry.ocsf.map { JSONWriter().bytes($0) }
        self.enrichment = entry.enrichment.map { JSONWriter().bytes($0) }
        self.hash = []
        self.hash = HashChain.digest(canonical: canonicalBytes)
    }

    /// Places a prepared record at `sequence` after `previousHash`; its digest becomes the chain hash.
    mutating func link(sequence: Int64, previousHash: [UInt8]) {
        self.sequence = sequence
        self.previousHash = previousHash
        self.hash = HashChain.link(previous: previousHash, digest: hash)
    }

    /// Reads a row selected with ``columns`` (or ``columns(present:)``, which keeps the order), by
    /// position: looking columns up by name lower-cases every name on every row, a measurable part
    /// of delivery throughput.
    init(row: Row) {
        sequence = row[0]
        source = row[1]
        id = row[2]
        type = row[3]
        subject = row[4]
        timeMilliseconds = row[5]
        attributes = Array(row[6] as Data)
        dataKind = row[7]
        data = Array(row[8] as Data)
        ingestMilliseconds = row[9]
        previousHash = Array(row[10] as Data)
        hash = Array(row[11] as Data)
        ocsf = (row[12] as Data?).map(Array.init)
        enrichment = (row[13] as Data?).map(Array.init)
    }

    /// The chain hash this record's content implies after its stored `prev_hash`.
    var recomputedHash: [UInt8] {
        HashChain.link(previous: previousHash, digest: HashChain.digest(canonical: canonicalBytes))
    }

    var canonicalBytes: [UInt8] {
        HashChain.canonicalBytes(
            attributes: attributes,
            dataKind: dataKind,
            data: data,
            ingestMilliseconds: ingestMilliseconds,
            ocsf: ocsf,
            enrichment: enrichment
        )
    }

    var arguments: StatementArguments {
        [
            sequence, source, id, type, subject, timeMilliseconds, Data(attributes), Int64(dataKind), Data(data),
            ingestMilliseconds, Data(previousHash), Data(hash), ocsf.map { Data($0) },
            enrichment.map { Data($0) },
        ]
    }

    /// Decodes the stored attributes and data back into an event.
    ///
    /// - Throws: ``StoreError`` when the stored bytes are not a valid event (a corrupted file).
    func loggedEvent() throws -> LoggedEvent {
        var event = try Self.storedAttributes(attributes, sequence: sequence)
        event.data = Self.data(kind: dataKind, data)
        return LoggedEvent(
            sequence: sequence,
            event: event,
            ingestMilliseconds: ingestMilliseconds,
            hash: hash,
            ocsf: try ocsf.map { try Self.parsePart($0, name: "OCSF view", sequence: sequence) },
            enrichment: try enrichment.map { try Self.parsePart($0, name: "enrichment", sequence: sequence) }
        )
    }

    /// Decodes a row selected with ``columns`` straight into the event it holds, for the readers
    /// that follow the log (router, detection, replay).
    ///
    /// Unlike `LogRecord(row:).loggedEvent()` it reads only what the event needs (not the previous
    /// hash nor the indexed copies of the attributes) and copies each blob once, from SQLite's
    /// buffer of a cursor's row, instead of into a `Data` and then into an array.
    ///
    /// - Parameters:
    ///   - row: The row.
    ///   - enrichment: Whether to read the enrichment; without it the event has none.
    /// - Returns: The event.
    /// - Throws: ``StoreError`` when the stored bytes are not a valid event (a corrupted file).
    static func loggedEvent(row: Row, enrichment: Bool = true) throws -> LoggedEvent {
        let sequence: Int64 = row[0]
        let blob = { (index: Int) throws -> [UInt8]? in try row.withUnsafeData(atIndex: index) { $0.map(Array.init) } }
        var event = try storedAttributes(try blob(6) ?? [], sequence: sequence)
        event.data = data(kind: row[7], try blob(8) ?? [])
        return LoggedEvent(
            sequence: sequence,
            event: event,
            ingestMilliseconds: row[9],
            hash: try blob(11) ?? [],
            ocsf: try blob(12).map { try parsePart($0, name: "OCSF view", sequence: sequence) },
            enrichment: enrichment
                ? try blob(13).map { try parsePart($0, name: "enrichment", sequence: sequence) } : nil
        )
    }

    /// The event data stored as `data` under `kind` (see `HashChain.dataKind`).
    private static func data(kind: UInt8, _ data: [UInt8]) -> CloudEventData? {
        switch kind {
        case 0: nil
        case 1: .json(data)
        case 2: .text(String(decoding: data, as: UTF8.self))
        default: .binary(data)
        }
    }

    /// Reads a stored JSON part (the OCSF view, the enrichment) back.
    private static func parsePart(_ bytes: [UInt8], name: String, sequence: Int64) throws -> JSONValue {
        do {
            return try JSONParser().parse(bytes)
        } catch {
            throw StoreError(
                code: .corruptRecord,
                message: "record \(sequence) has an unreadable \(name); run 'tocsin audit verify'"
            )
        }
    }

    /// Whether the indexed columns agree with the hashed attributes (they are copies kept for queries).
    func columnsMatchAttributes() -> Bool {
        guard let event = try? Self.decodedAttributes(attributes, sequence: sequence) else {
            return false
        }
        return event.source == source && event.id == id && event.type == type && event.subject == subject
            && event.time?.epochMilliseconds == timeMilliseconds && dataKind <= 3
    }

    /// The event of stored attributes, trusting what ingest validated (``StoredAttributes``); the
    /// validating decoder runs only on bytes that are not the writer's shape, to name the problem.
    private static func storedAttributes(_ attributes: [UInt8], sequence: Int64) throws -> CloudEvent {
        if let parsed = try? JSONParser().parse(attributes), let event = StoredAttributes.event(parsed) {
            return event
        }
        return try decodedAttributes(attributes, sequence: sequence)
    }

    private static func decodedAttributes(_ attributes: [UInt8], sequence: Int64) throws -> CloudEvent {
        do {
            return try CloudEventDecoder().decode(json: try JSONParser().parse(attributes))
        } catch {
            throw StoreError(
                code: .corruptRecord,
                message: "record \(sequence) has unreadable attributes; run 'tocsin audit verify'"
            )
        }
    }
}
