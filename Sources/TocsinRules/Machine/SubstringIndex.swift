// SPDX-License-Identifier: Apache-2.0

/// Finds which of many needles (wildcard literal parts) occur anywhere in a string.
///
/// Each needle is keyed by its rarest 4-byte window across all needles (needles shorter than four
/// bytes by themselves), so thousands of needles that share a common word still get distinct keys.
/// The walk probes every position of the input once per key length in use, behind a 64 Ki-bit
/// filter, and confirms a needle only where its key occurs: the cost follows the input's length
/// and the real occurrences, not the number of needles.
struct SubstringIndex: Sendable {
    private struct Entry: Sendable {
        var needle: [UInt8]
        var ids: [Int32]
        var keyOffset = 0
    }

    private var entries: [Entry] = []
    /// Per key length 1...4: key → entry indices.
    private var byKey: [[UInt32: [Int32]]] = [[:], [:], [:], [:]]
    private var keyLengths: [Int] = []
    private var filter = [UInt64](repeating: 0, count: 1024)

    var isEmpty: Bool { entries.isEmpty }

    /// Adds `needle` (non-empty); `id` fires when it occurs in the input.
    ///
    /// Call ``build()`` after the last insert.
    mutating func insert(_ needle: [UInt8], id: Int32) {
        if let existing = entries.firstIndex(where: { $0.needle == needle }) {
            entries[existing].ids.append(id)
        } else {
            entries.append(Entry(needle: needle, ids: [id]))
        }
    }

    /// Chooses each needle's key and builds the lookup tables.
    mutating func build() {
        var frequency: [UInt32: Int] = [:]
        for entry in entries where entry.needle.count >= 4 {
            for offset in 0...(entry.needle.count - 4) {
                frequency[SubstringIndex.key(entry.needle, at: offset, length: 4), default: 0] += 1
            }
        }
        byKey = [[:], [:], [:], [:]]
        keyLengths = []
        filter = [UInt64](repeating: 0, count: 1024)
        for index in entries.indices {
            let needle = entries[index].needle
            let length = min(needle.count, 4)
            var offset = 0
            if length == 4 {
                offset =
                    (0...(needle.count - 4)).min { lhs, rhs in
                        frequency[SubstringIndex.key(needle, at: lhs, length: 4), default: 0]
                            < frequency[SubstringIndex.key(needle, at: rhs, length: 4), default: 0]
                    } ?? 0
            }
            entries[index].keyOffset = offset
            let key = SubstringIndex.key(needle, at: offset, length: length)
            byKey[length - 1][key, default: []].append(Int32(index))
            if !keyLengths.contains(length) {
                keyLengths.append(length)
            }
            let bit = SubstringIndex.filterBit(key, length: length)
            filter[bit >> 6] |= 1 << UInt64(bit & 63)
        }
    }

    func walk(_ bytes: UnsafeBufferPointer<UInt8>, into state: inout MatchState) {
        let count = bytes.count
        for length in keyLengths where count >= length {
            let table = byKey[length - 1]
            for position in 0...(count - length) {
                let key = SubstringIndex.key(bytes, at: position, length: length)
                let bit = SubstringIndex.filterBit(key, length: length)
                guard filter[bit >> 6] & (1 << UInt64(bit & 63)) != 0, let candidates = table[key] else {
                    continue
                }
                for candidate in candidates {
                    let entry = entries[Int(candidate)]
                    if SubstringIndex.occurs(entry.needle, in: bytes, at: position - entry.keyOffset) {
                        state.addCandidates(entry.ids)
                    }
                }
            }
        }
    }

    private static func occurs(_ needle: [UInt8], in bytes: UnsafeBufferPointer<UInt8>, at position: Int) -> Bool {
        guard position >= 0, position + needle.count <= bytes.count else {
            return false
        }
        for offset in needle.indices where bytes[position + offset] != needle[offset] {
            return false
        }
        return true
    }

    /// Up to four bytes packed little-endian.
    @inline(__always)
    private static func key(_ bytes: some RandomAccessCollection<UInt8>, at position: Int, length: Int) -> UInt32 {
        var key: UInt32 = 0
        var index = bytes.index(bytes.startIndex, offsetBy: position)
        for shift in 0..<length {
            key |= UInt32(bytes[index]) << UInt32(shift * 8)
            index = bytes.index(after: index)
        }
        return key
    }

    @inline(__always)
    private static func filterBit(_ key: UInt32, length: Int) -> Int {
        Int(((key &+ UInt32(length)) &* 0x9E37_79B1) >> 16)
    }
}
