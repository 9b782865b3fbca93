// SPDX-License-Identifier: Apache-2.0

import Crypto
import TocsinCore

/// The bounds a native record's values are fitted to when they become CloudEvents attributes.
///
/// A value over a bound is shortened, never refused: the record is stored and `data` keeps the
/// value whole. Listed in `docs/limits.md`.
public enum SourceAttributeLimits: Sendable {
    /// Most UTF-8 bytes of an `id`; a longer (or altered) id keeps its start and ends in `~` and 32
    /// hex digits of its SHA-256, so two different ids never become the same.
    public static let maxIDBytes = 256
    /// Most UTF-8 bytes of a `type`; a longer one is cut and ends in `…`.
    public static let maxTypeBytes = 512
    /// Most UTF-8 bytes of a `subject`; a longer one is cut and ends in `…`.
    public static let maxSubjectBytes = 1024
    /// Most bytes of one `source` path segment (after percent-encoding); a longer segment keeps its
    /// start and ends in `~` and 32 hex digits of its SHA-256.
    public static let maxSourceSegmentBytes = 256
}

/// Makes a normaliser's event a valid CloudEvent whatever the record's values were: the last step
/// before an entry is appended, shared by every format.
///
/// - `id`: control characters and noncharacters, or more than ``SourceAttributeLimits/maxIDBytes``,
///   give `<cleaned start>~<hash of the original>`; an empty id becomes the record's digest.
/// - `source`: bytes a path segment may not hold are percent-encoded; long segments are shortened
///   the same way as ids.
/// - `type`, `subject`: forbidden characters become U+FFFD, long values are cut (`…`); an empty
///   subject is left out.
/// - `time`: a time outside the years 0000–9999 (which RFC 3339 cannot write) is left out.
enum AttributeFitting {
    static func event(_ original: CloudEvent) -> CloudEvent {
        // The common case, checked without copying or allocating: printable ASCII within bounds.
        if isPrintableASCII(original.id, maxBytes: SourceAttributeLimits.maxIDBytes),
            isPrintableASCII(original.type, maxBytes: SourceAttributeLimits.maxTypeBytes),
            original.subject.map({ isPrintableASCII($0, maxBytes: SourceAttributeLimits.maxSubjectBytes) }) ?? true,
            isFittingSource(original.source),
            original.time.map({ timeRange.contains($0.epochSeconds) }) ?? true
        {
            return original
        }
        var event = original
        event.id = event.id.isEmpty ? RecordIdentity.digest(dataBytes(event.data)) : id(event.id)
        event.source = source(event.source)
        event.type = type(event.type)
        event.subject = subject(event.subject)
        event.time = time(event.time)
        return event
    }

    static func id(_ text: String) -> String {
        if isPrintableASCII(text, maxBytes: SourceAttributeLimits.maxIDBytes) {
            return text
        }
        if text.utf8.count <= SourceAttributeLimits.maxIDBytes, isValid(text) {
            return text
        }
        let start = prefix(CloudEvent.attributeText(text), maxBytes: SourceAttributeLimits.maxIDBytes - 33)
        return start + "~" + digest(text)
    }

    static func type(_ text: String) -> String {
        guard !text.isEmpty else {
            return "unknown"
        }
        return bounded(text, maxBytes: SourceAttributeLimits.maxTypeBytes)
    }

    static func subject(_ text: String?) -> String? {
        guard let text, !text.isEmpty else {
            return nil
        }
        return bounded(text, maxBytes: SourceAttributeLimits.maxSubjectBytes)
    }

    /// `text` with forbidden characters replaced, cut to `maxBytes` with a closing `…` when longer.
    private static func bounded(_ text: String, maxBytes: Int) -> String {
        if isPrintableASCII(text, maxBytes: maxBytes) {
            return text
        }
        if text.utf8.count <= maxBytes, isValid(text) {
            return text
        }
        let cleaned = CloudEvent.attributeText(text)
        guard cleaned.utf8.count > maxBytes else {
            return cleaned
        }
        return prefix(cleaned, maxBytes: maxBytes - 3) + "\u{2026}"
    }

    static func source(_ text: String) -> String {
        if isFittingSource(text) {
            return text
        }
        let segments = text.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            let encoded = CloudEvent.sourceSegment(String(segment))
            guard encoded.utf8.count > SourceAttributeLimits.maxSourceSegmentBytes else {
                return encoded
            }
            let kept = escapePrefix(encoded, maxBytes: SourceAttributeLimits.maxSourceSegmentBytes - 33)
            return kept + "~" + digest(String(segment))
        }
        let joined = segments.joined(separator: "/")
        return joined.isEmpty ? "-" : joined
    }

    /// The years RFC 3339 can write: 0000-01-01T00:00:00Z to 9999-12-31T23:59:59Z.
    static let timeRange: ClosedRange<Int64> = -62_167_219_200...253_402_300_799

    static func time(_ time: Timestamp?) -> Timestamp? {
        guard let time, timeRange.contains(time.epochSeconds) else {
            return nil
        }
        return time
    }

    /// Whether `text` is 1 to `maxBytes` bytes of printable ASCII (which the String type allows).
    private static func isPrintableASCII(_ text: String, maxBytes: Int) -> Bool {
        let utf8 = text.utf8
        guard !utf8.isEmpty, utf8.count <= maxBytes else {
            return false
        }
        return utf8.withContiguousStorageIfAvailable { bytes in
            bytes.allSatisfy { $0 &- 0x20 < 0x5F }
        } ?? false
    }

    /// Whether `text` holds no control characters or noncharacters (the CloudEvents String type).
    private static func isValid(_ text: String) -> Bool {
        CloudEvent.attributeText(text) == text
    }

    /// Whether every byte of `source` may stand in a URI path, `%` starts an escape, and no segment
    /// is too long: the common case, checked without allocating.
    private static func isFittingSource(_ source: String) -> Bool {
        guard !source.isEmpty else {
            return false
        }
        var segment = 0
        var pendingHex = 0
        for byte in source.utf8 {
            if pendingHex > 0 {
                guard isHex(byte) else {
                    return false
                }
                pendingHex -= 1
                segment += 1
                continue
            }
            if byte == UInt8(ascii: "/") {
                segment = 0
                continue
            }
            segment += 1
            guard segment <= SourceAttributeLimits.maxSourceSegmentBytes else {
                return false
            }
            if byte == UInt8(ascii: "%") {
                pendingHex = 2
            } else if !isSegmentByte(byte) {
                return false
            }
        }
        return pendingHex == 0
    }

    /// RFC 3986 `pchar` without `%`: unreserved, sub-delims, `:` and `@`.
    private static func isSegmentByte(_ byte: UInt8) -> Bool {
        if (byte | 0x20) &- UInt8(ascii: "a") < 26 || byte &- UInt8(ascii: "0") < 10 {
            return true
        }
        switch byte {
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "!"),
            UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"),
            UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "="),
            UInt8(ascii: ":"), UInt8(ascii: "@"):
            return true
        default:
            return false
        }
    }

    private static func isHex(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10 || (byte | 0x20) &- UInt8(ascii: "a") < 6
    }

    /// The longest start of `text` of at most `maxBytes` UTF-8 bytes that ends on a scalar boundary.
    static func prefix(_ text: String, maxBytes: Int) -> String {
        let utf8 = text.utf8
        guard utf8.count > maxBytes else {
            return text
        }
        var end = utf8.index(utf8.startIndex, offsetBy: maxBytes)
        while end > utf8.startIndex, utf8[end] & 0xC0 == 0x80 {
            end = utf8.index(before: end)
        }
        return String(decoding: utf8[..<end], as: UTF8.self)
    }

    /// The start of an ASCII, percent-encoded segment of at most `maxBytes`, not cutting an escape.
    private static func escapePrefix(_ encoded: String, maxBytes: Int) -> String {
        var bytes = Array(encoded.utf8.prefix(maxBytes))
        if let last = bytes.lastIndex(of: UInt8(ascii: "%")), last >= bytes.count - 2 {
            bytes.removeSubrange(last...)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// 32 hex digits of SHA-256 over `text`'s UTF-8.
    private static func digest(_ text: String) -> String {
        RecordIdentity.digest(Array(text.utf8))
    }

    private static func dataBytes(_ data: CloudEventData?) -> [UInt8] {
        switch data {
        case .json(let bytes), .binary(let bytes): return bytes
        case .text(let text): return Array(text.utf8)
        case nil: return []
        }
    }
}
