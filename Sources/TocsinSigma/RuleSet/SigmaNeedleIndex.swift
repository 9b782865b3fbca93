// SPDX-License-Identifier: Apache-2.0

import TocsinCore

/// Finds, in one pass over a record's values, which of many keyword literals occur in them.
///
/// Keyword rules search every value of a record; evaluating each one in turn costs (rules ×
/// keywords × values). The index holds the literal part each keyword requires (lower-cased, at
/// least two bytes) and scans the lower-cased values once, probing a 65,536-bit table of the
/// needles' first two bytes at each position; only positions whose two bytes start some needle are
/// compared. A keyword rule is then evaluated only when one of its needles was found.
struct SigmaNeedleIndex: Sendable {
    private(set) var needles: [[UInt8]] = []
    private var bitmap = [UInt64](repeating: 0, count: 1 << 10)
    /// Per two-byte key, the first needle starting with it plus one (0: none); ``chain`` links the others.
    private var heads: [Int32] = []
    private var chain: [Int32] = []

    /// The index of `needle`, adding it when new; `needle` has at least two bytes.
    mutating func insert(_ needle: [UInt8]) -> Int32 {
        if let existing = needles.firstIndex(of: needle) {
            return Int32(existing)
        }
        let id = Int32(needles.count)
        needles.append(needle)
        let key = Int(UInt16(needle[0]) << 8 | UInt16(needle[1]))
        if heads.isEmpty {
            heads = [Int32](repeating: 0, count: 1 << 16)
        }
        bitmap[key >> 6] |= 1 << UInt64(key & 63)
        chain.append(heads[key])
        heads[key] = id + 1
        return id
    }

    var isEmpty: Bool {
        needles.isEmpty
    }

    /// Marks in `found` (indexed by needle) each needle occurring in a scalar value of `record`.
    ///
    /// ASCII values are scanned in place, lower-casing byte by byte; others are lower-cased first.
    func scan(_ record: JSONValue, folded: inout [UInt8], found: inout [Bool]) {
        if found.count != needles.count {
            found = [Bool](repeating: false, count: needles.count)
        } else {
            for index in found.indices {
                found[index] = false
            }
        }
        SigmaValues.forEachScalar(record) { text in
            let scanned = text.utf8.withContiguousStorageIfAvailable { bytes in
                guard !bytes.contains(where: { $0 >= 0x80 }) else {
                    return false
                }
                scan(bytes, found: &found)
                return true
            }
            if scanned != true {
                SigmaFolding.fold(text, into: &folded)
                folded.withUnsafeBufferPointer { scan($0, found: &found) }
            }
            return false
        }
    }

    @inline(__always)
    private static func lower(_ byte: UInt8) -> UInt8 {
        byte &- UInt8(ascii: "A") < 26 ? byte | 0x20 : byte
    }

    /// Scans ASCII or already lower-cased bytes (lower-casing ASCII letters as it reads).
    private func scan(_ bytes: UnsafeBufferPointer<UInt8>, found: inout [Bool]) {
        guard bytes.count >= 2 else {
            return
        }
        bitmap.withUnsafeBufferPointer { bitmap in
            var key = UInt16(Self.lower(bytes[0]))
            for index in 1..<bytes.count {
                key = key << 8 | UInt16(Self.lower(bytes[index]))
                guard bitmap[Int(key >> 6)] & (1 << UInt64(key & 63)) != 0 else {
                    continue
                }
                let start = index - 1
                var next = heads[Int(key)]
                while next > 0 {
                    let id = Int(next - 1)
                    if !found[id], matches(needles[id], bytes, at: start) {
                        found[id] = true
                    }
                    next = chain[id]
                }
            }
        }
    }

    private func matches(_ needle: [UInt8], _ bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> Bool {
        guard bytes.count - start >= needle.count else {
            return false
        }
        for offset in needle.indices where Self.lower(bytes[start + offset]) != needle[offset] {
            return false
        }
        return true
    }
}
