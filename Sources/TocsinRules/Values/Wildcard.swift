// SPDX-License-Identifier: Apache-2.0

/// A `wildcard` operand: literal parts separated by `*`, each `*` matching any run of characters.
///
/// Only `*` is special; `\*` is a literal star and `\\` a literal backslash. Matching works on
/// UTF-8 bytes, which is exact for literal parts because UTF-8 is self-synchronising.
struct Wildcard: Sendable, Hashable {
    /// The literal parts; `parts.count == stars + 1` (parts around a leading or trailing star are empty).
    let parts: [[UInt8]]

    /// The number of unescaped stars.
    var stars: Int { parts.count - 1 }

    /// Why a wildcard operand was rejected, with the character position (0-based).
    enum Problem: Error, Equatable {
        case consecutiveStars(position: Int)
        case invalidEscape(position: Int)

        var message: String {
            switch self {
            case .consecutiveStars(let position):
                "'**' is not allowed (consecutive wildcard characters at position \(position)); one '*' already matches any run"
            case .invalidEscape(let position):
                "invalid escape at position \(position); only '\\*' (literal star) and '\\\\' (literal backslash) are allowed"
            }
        }
    }

    /// Parses `text`.
    static func parse(_ text: String) -> Result<Wildcard, Problem> {
        var parts: [[UInt8]] = [[]]
        var escaping = false
        var previousWasStar = false
        for (position, character) in text.enumerated() {
            if escaping {
                guard character == "*" || character == "\\" else {
                    return .failure(.invalidEscape(position: position - 1))
                }
                parts[parts.count - 1].append(contentsOf: character.utf8)
                escaping = false
                previousWasStar = false
                continue
            }
            switch character {
            case "\\":
                escaping = true
            case "*":
                if previousWasStar {
                    return .failure(.consecutiveStars(position: position))
                }
                parts.append([])
                previousWasStar = true
                continue
            default:
                parts[parts.count - 1].append(contentsOf: character.utf8)
            }
            previousWasStar = false
        }
        if escaping {
            return .failure(.invalidEscape(position: text.count - 1))
        }
        return .success(Wildcard(parts: parts))
    }

    /// Whether the string `value` matches.
    func matches(_ value: String) -> Bool {
        if let result = value.utf8.withContiguousStorageIfAvailable({ matches(bytes: $0) }) {
            return result
        }
        return Array(value.utf8).withUnsafeBufferPointer { matches(bytes: $0) }
    }

    func matches(bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let first = parts[0]
        if parts.count == 1 {
            return bytes.elementsEqual(first)
        }
        let last = parts[parts.count - 1]
        guard bytes.count >= first.count + last.count,
            bytes.starts(with: first),
            bytes[(bytes.count - last.count)...].elementsEqual(last)
        else {
            return false
        }
        var position = first.count
        let end = bytes.count - last.count
        for part in parts[1..<(parts.count - 1)] where !part.isEmpty {
            guard let found = Wildcard.find(part, in: bytes, from: position, to: end) else {
                return false
            }
            position = found + part.count
        }
        return true
    }

    /// The first index at or after `start` where `needle` occurs entirely before `end`.
    static func find(_ needle: [UInt8], in bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Int? {
        guard let head = needle.first, end - start >= needle.count else {
            return needle.isEmpty ? start : nil
        }
        var index = start
        let lastStart = end - needle.count
        while index <= lastStart {
            if bytes[index] == head {
                var offset = 1
                while offset < needle.count, bytes[index + offset] == needle[offset] {
                    offset += 1
                }
                if offset == needle.count {
                    return index
                }
            }
            index += 1
        }
        return nil
    }
}
