// SPDX-License-Identifier: Apache-2.0

/// An open-addressing table from strings to their positions in a list of strings: the member
/// names of a trie node with many children, or the exact values a path's rules test.
///
/// Event walks look up every member name of an object at such a node (a CloudTrail record's
/// `data` has about twenty) and every string leaf at a tested path; `Dictionary<String, _>` hashes
/// each with SipHash, which cost more than the rest of the lookup. This table hashes the length
/// and the first and last eight bytes instead, and confirms a hit by comparing the whole string.
/// The table holds only rule text (load at most 25%), and a lookup stops at the first empty slot,
/// so however an event value is chosen, it costs at most the longest run of occupied slots.
struct NameLookup: Sendable {
    /// Position plus one of the name in each slot; 0 is empty.
    let slots: [Int32]
    let mask: Int

    /// Indexes `names` (unique).
    init(names: [String]) {
        var capacity = 8
        while capacity < names.count * 4 {
            capacity <<= 1
        }
        var slots = [Int32](repeating: 0, count: capacity)
        for (position, name) in names.enumerated() {
            var slot = Self.hash(name) & (capacity - 1)
            while slots[slot] != 0 {
                slot = (slot + 1) & (capacity - 1)
            }
            slots[slot] = Int32(position + 1)
        }
        self.slots = slots
        mask = capacity - 1
    }

    /// The position of `name` in `names` (the list this table was built from), or `nil`.
    @inline(__always)
    func position(of name: String, in names: [String]) -> Int? {
        var slot = Self.hash(name) & mask
        let count = name.utf8.count
        while true {
            let entry = Int(slots[slot])
            if entry == 0 {
                return nil
            }
            let candidate = names[entry - 1]
            if candidate.utf8.count == count && candidate == name {
                return entry - 1
            }
            slot = (slot + 1) & mask
        }
    }

    /// A hash of the name's UTF-8 length and its first and last (up to) eight bytes.
    @inline(__always)
    static func hash(_ name: String) -> Int {
        var name = name
        return name.withUTF8 { bytes in
            let count = bytes.count
            var head: UInt64 = 0
            var tail: UInt64 = 0
            if count >= 8 {
                let raw = UnsafeRawBufferPointer(bytes)
                head = UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self))
                tail = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self))
            } else {
                for index in 0..<count {
                    head |= UInt64(bytes[index]) &<< UInt64(index &* 8)
                }
            }
            let mixed = (head ^ (tail &>> 5) ^ UInt64(truncatingIfNeeded: count)) &* 0x9E37_79B9_7F4A_7C15
            return Int(truncatingIfNeeded: mixed >> 20)
        }
    }
}
