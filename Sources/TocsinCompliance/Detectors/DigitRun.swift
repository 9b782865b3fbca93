// SPDX-License-Identifier: Apache-2.0

/// Digits in groups separated by single spaces, hyphens or dots, such as `4111 1111 1111 1111`,
/// `078-05-1120` or `192.0.2.10`, read once and then classified by the number detectors.
struct DigitRun {
    /// The most groups a run keeps; a longer run is still read to its end, and matches nothing.
    static let maximumGroups = 8

    /// Index of the first digit.
    let start: Int
    /// Index after the last digit.
    private(set) var end: Int
    /// The number of digits, separators excluded.
    private(set) var digitCount = 0
    /// The number of groups.
    private(set) var groupCount = 0
    /// The group lengths, eight bits each, first group in the low byte.
    private var packedLengths: UInt64 = 0
    /// The separator between groups, or 0 for a single group.
    private(set) var separator: UInt8 = 0
    /// Whether the groups are separated by more than one kind of separator.
    private(set) var hasMixedSeparators = false

    /// Reads the run that starts at `start` (a digit) in `text`.
    init(text: UnsafeBufferPointer<UInt8>, start: Int) {
        self.start = start
        var index = start
        while true {
            let groupStart = index
            while index < text.count, ASCII.isDigit(text[index]) {
                index += 1
            }
            let length = index - groupStart
            digitCount += length
            if groupCount < Self.maximumGroups {
                packedLengths |= UInt64(min(length, 255)) << (8 * groupCount)
            }
            groupCount += 1
            guard index + 1 < text.count, ASCII.isDigit(text[index + 1]) else {
                break
            }
            let next = text[index]
            guard next == UInt8(ascii: " ") || next == UInt8(ascii: "-") || next == UInt8(ascii: ".") else {
                break
            }
            if separator == 0 {
                separator = next
            } else if separator != next {
                hasMixedSeparators = true
            }
            index += 1
        }
        end = index
    }

    /// The length of group `index` (zero-based).
    func length(ofGroup index: Int) -> Int {
        Int((packedLengths >> (8 * index)) & 0xFF)
    }

    /// Whether the group lengths are exactly `lengths`.
    func hasGroups(_ lengths: [Int]) -> Bool {
        guard groupCount == lengths.count else {
            return false
        }
        for (index, length) in lengths.enumerated() where self.length(ofGroup: index) != length {
            return false
        }
        return true
    }

    /// The run's digits as numbers, separators skipped.
    func digits(in text: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var digits: [UInt8] = []
        digits.reserveCapacity(digitCount)
        for index in start..<end where ASCII.isDigit(text[index]) {
            digits.append(text[index] &- UInt8(ascii: "0"))
        }
        return digits
    }

    /// The value of the first `count` digits.
    func prefix(_ count: Int, in text: UnsafeBufferPointer<UInt8>) -> Int {
        var value = 0
        var taken = 0
        var index = start
        while taken < count, index < end {
            let byte = text[index]
            if ASCII.isDigit(byte) {
                value = value * 10 + Int(byte &- UInt8(ascii: "0"))
                taken += 1
            }
            index += 1
        }
        return value
    }

    /// The value of group `group`; a group of more than 18 digits gives a meaningless value (it
    /// does not trap), so callers check the length first.
    func value(ofGroup group: Int, in text: UnsafeBufferPointer<UInt8>) -> Int {
        var index = start
        for _ in 0..<group {
            while ASCII.isDigit(text[index]) {
                index += 1
            }
            index += 1
        }
        var value = 0
        while index < end, ASCII.isDigit(text[index]) {
            value = value &* 10 &+ Int(text[index] &- UInt8(ascii: "0"))
            index += 1
        }
        return value
    }
}
