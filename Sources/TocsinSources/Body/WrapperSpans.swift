// SPDX-License-Identifier: Apache-2.0

/// Finds where each record of a wrapper document (`{"Records":[…]}`, a bare array, …) sits in the
/// body, so a record can be stored as its own bytes instead of being encoded again.
///
/// The body must already have parsed as JSON (the scan trusts its structure). A record's bytes are
/// used only when they are *canonical*: exactly what ``TocsinCore/JSONWriter`` would write (no
/// whitespace outside strings, no escapes but `\"`, `\\`, `\n`, `\r`, `\t`), so a record's `data`
/// and id do not depend on which path it came by.
enum WrapperSpans {
    /// One record's byte range and whether those bytes are canonical.
    struct Span {
        var range: Range<Int>
        var isCanonical: Bool
    }

    /// The spans (indices of `body`) of the elements of the array at `path` (member names from the
    /// root; empty for a root array), or `nil` when the path cannot be followed byte for byte.
    static func elements(of body: ArraySlice<UInt8>, at path: [String]) -> [Span]? {
        let spans = body.withUnsafeBufferPointer { bytes -> [Span]? in
            var scanner = Scanner(bytes: bytes)
            scanner.skipSpace()
            for name in path {
                guard scanner.enterMember(named: name) else {
                    return nil
                }
            }
            return scanner.arrayElements()
        }
        let base = body.startIndex
        return spans?.map {
            Span(range: ($0.range.lowerBound + base)..<($0.range.upperBound + base), isCanonical: $0.isCanonical)
        }
    }

    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        mutating func skipSpace() {
            while index < bytes.count, ByteScan.isSpace(bytes[index]) {
                index += 1
            }
        }

        /// Moves from an object's `{` to the value of member `name`.
        mutating func enterMember(named name: String) -> Bool {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else {
                return false
            }
            index += 1
            while true {
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                    return false
                }
                let nameStart = index + 1
                let (nameEnd, plain) = skipValue()
                let matches = plain && bytes[nameStart..<(nameEnd - 1)].elementsEqual(name.utf8)
                skipSpace()
                index += 1
                skipSpace()
                if matches {
                    return true
                }
                _ = skipValue()
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ",") else {
                    return false
                }
                index += 1
            }
        }

        /// The spans of the array starting at `index`.
        mutating func arrayElements() -> [Span]? {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "[") else {
                return nil
            }
            index += 1
            var spans: [Span] = []
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                return spans
            }
            while index < bytes.count {
                skipSpace()
                let start = index
                let (end, canonical) = skipValue()
                spans.append(Span(range: start..<end, isCanonical: canonical))
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ",") else {
                    break
                }
                index += 1
            }
            return spans
        }

        /// Skips the value at `index`; returns where it ends and whether its bytes are canonical.
        mutating func skipValue() -> (end: Int, canonical: Bool) {
            var depth = 0
            var canonical = true
            var inString = false
            while index < bytes.count {
                if inString {
                    skipPlainStringBytes()
                    guard index < bytes.count else {
                        break
                    }
                }
                let byte = bytes[index]
                index += 1
                if inString {
                    if byte == UInt8(ascii: "\\") {
                        let escaped = index < bytes.count ? bytes[index] : 0
                        canonical = canonical && Self.isWrittenEscape(escaped)
                        index += 1
                    } else if byte == UInt8(ascii: "\"") {
                        inString = false
                        if depth == 0 {
                            return (index, canonical)
                        }
                    }
                    continue
                }
                switch byte {
                case UInt8(ascii: "\""):
                    inString = true
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth <= 0 {
                        if depth < 0 {
                            index -= 1
                        }
                        return (index, canonical)
                    }
                case 0x20, 0x09, 0x0A, 0x0D:
                    if depth == 0 {
                        index -= 1
                        return (index, canonical)
                    }
                    canonical = false
                case UInt8(ascii: ","):
                    if depth == 0 {
                        index -= 1
                        return (index, canonical)
                    }
                default:
                    break
                }
            }
            return (index, canonical)
        }

        /// Skips, eight at a time, string bytes that are neither `"` nor `\\` (most of a record).
        mutating func skipPlainStringBytes() {
            let raw = UnsafeRawBufferPointer(bytes)
            while index + 8 <= bytes.count {
                let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                let found = ByteScan.contains(word, UInt8(ascii: "\"")) || ByteScan.contains(word, UInt8(ascii: "\\"))
                guard !found else {
                    return
                }
                index += 8
            }
        }

        /// Whether `\` + `byte` is an escape ``TocsinCore/JSONWriter`` writes itself.
        static func isWrittenEscape(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "n")
                || byte == UInt8(ascii: "r") || byte == UInt8(ascii: "t")
        }
    }
}
