// SPDX-License-Identifier: Apache-2.0

/// A message's words (split on single spaces, empty words kept) as byte ranges: comparing a word
/// or reading a number makes no `String`; only the words a caller takes become one.
struct MessageWords {
    private let bytes: [UInt8]
    private var ranges: [Range<Int>] = []

    init(_ message: String) {
        bytes = Array(message.utf8)
        ranges.reserveCapacity(24)
        var start = 0
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: " ") {
            ranges.append(start..<index)
            start = index + 1
        }
        ranges.append(start..<bytes.count)
    }

    /// How many words there are (at least one, possibly empty).
    var count: Int {
        ranges.count
    }

    /// Whether word `index` exists and is exactly `word`.
    func isWord(_ index: Int, _ word: StaticString) -> Bool {
        guard index >= 0, index < ranges.count, ranges[index].count == word.utf8CodeUnitCount else {
            return false
        }
        return word.withUTF8Buffer { bytes[ranges[index]].elementsEqual($0) }
    }

    /// The first word at or after `start` that is exactly `word`.
    func firstIndex(of word: StaticString, from start: Int = 0) -> Int? {
        (max(start, 0)..<ranges.count).first { isWord($0, word) }
    }

    /// Word `index` as text, or `nil` when there is no such word.
    func text(at index: Int) -> String? {
        guard index >= 0, index < ranges.count else {
            return nil
        }
        return String(decoding: bytes[ranges[index]], as: UTF8.self)
    }

    /// Word `index` without `suffix` when it ends with it (else whole).
    func text(at index: Int, droppingSuffix suffix: UInt8) -> String? {
        guard index >= 0, index < ranges.count else {
            return nil
        }
        var range = ranges[index]
        if range.last.map({ bytes[$0] }) == suffix {
            range = range.dropLast()
        }
        return String(decoding: bytes[range], as: UTF8.self)
    }

    /// The rest of word `index` when it starts with `prefix`, else `nil`.
    func text(at index: Int, droppingPrefix prefix: StaticString) -> String? {
        guard index >= 0, index < ranges.count, ranges[index].count >= prefix.utf8CodeUnitCount else {
            return nil
        }
        let range = ranges[index]
        let head = range.lowerBound..<(range.lowerBound + prefix.utf8CodeUnitCount)
        guard prefix.withUTF8Buffer({ bytes[head].elementsEqual($0) }) else {
            return nil
        }
        return String(decoding: bytes[head.upperBound..<range.upperBound], as: UTF8.self)
    }

    /// The number the ASCII digits at the start of word `index` spell (`38926` of `38926:11:`).
    func leadingNumber(at index: Int) -> Int? {
        guard index >= 0, index < ranges.count else {
            return nil
        }
        var value = 0
        var digits = 0
        for byte in bytes[ranges[index]] {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else {
                break
            }
            guard digits < 18 else {
                return nil
            }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
            digits += 1
        }
        return digits == 0 ? nil : value
    }

    /// Whether the whole message ends with `suffix`.
    func endsWith(_ suffix: StaticString) -> Bool {
        suffix.utf8CodeUnitCount <= bytes.count
            && suffix.withUTF8Buffer { bytes[(bytes.count - $0.count)...].elementsEqual($0) }
    }
}
