// SPDX-License-Identifier: Apache-2.0

/// Finds which of many needles (wildcard literal parts) occur anywhere in a string.
///
/// Each needle is keyed by its first one to four bytes; the walk probes every position of the
/// input once per key length in use, behind a 64 Ki-bit filter, so the cost grows with the input's
/// length and not with the number of needles.
struct SubstringIndex: Sendable {
    private var needles: [[UInt8]] = []
    private var needleIDs: [[Int32]] = []
    private var byKey: [UInt32: [Int32]] = [:]
    private var keyLengths: [Int] = []
    private var filter = [UInt64](repeating: 0, count: 1024)

    var isEmpty: Bool { needles.isEmpty }

    /// Adds `needle` (non-empty); `id` fires when it occurs in the input.
    mutating func insert(_ needle: [UInt8], id: Int32) {
        if let existing = needles.firstIndex(of: needle) {
            needleIDs[existing].append(id)
            return
        }
        needles.append(needle)
        needleIDs.append([id])
        let length = min(needle.count, 4)
        let key = needle.withUnsafeBufferPointer { SubstringIndex.key($0, at: 0, length: length) }
        byKey[key, default: []].append(Int32(needles.count - 1))
        if !keyLengths.contains(length) {
            keyLengths.append(length)
        }
        let bit = SubstringIndex.filterBit(key)
        filter[bit >> 6] |= 1 << UInt64(bit & 63)
    }

    func walk(_ bytes: UnsafeBufferPointer<UInt8>, into context: MatchContext) {
        let count = bytes.count
        for position in 0..<count {
            for length in keyLengths where position + length <= count {
                let key = SubstringIndex.key(bytes, at: position, length: length)
                let bit = SubstringIndex.filterBit(key)
                guard filter[bit >> 6] & (1 << UInt64(bit & 63)) != 0, let candidates = byKey[key] else {
                    continue
                }
                for candidate in candidates where occurs(needles[Int(candidate)], in: bytes, at: position) {
                    context.addCandidates(needleIDs[Int(candidate)])
                }
            }
        }
    }

    private func occurs(_ needle: [UInt8], in bytes: UnsafeBufferPointer<UInt8>, at position: Int) -> Bool {
        guard position + needle.count <= bytes.count else {
            return false
        }
        for offset in needle.indices where bytes[position + offset] != needle[offset] {
            return false
        }
        return true
    }

    @inline(__always)
    private static func key(_ bytes: UnsafeBufferPointer<UInt8>, at position: Int, length: Int) -> UInt32 {
        var key = UInt32(length) << 29
        for offset in 0..<length {
            key ^= UInt32(bytes[position + offset]) << UInt32(offset * 7)
        }
        return key
    }

    @inline(__always)
    private static func filterBit(_ key: UInt32) -> Int {
        Int((key &* 0x9E37_79B1) >> 16)
    }
}
