// SPDX-License-Identifier: Apache-2.0

/// A read-only hash table from the UTF-8 of member names to shared `String`s, in the spirit of
/// HPACK's static table of well-known header names.
///
/// ``JSONReader`` looks up every member name by its decoded UTF-8. A hit returns the table's
/// string, an immortal literal, so that name costs no UTF-8 validation, allocation or reference
/// counting, and every tree that holds it shares one copy; a miss costs one hash and about one
/// probe. Building member names was about a quarter of the time to parse a CloudTrail record.
struct JSONNameTable: Sendable {
    /// The member names of the envelopes of the formats Tocsin ingests (CloudTrail, Kubernetes
    /// audit, GCP audit, Azure, Okta, GitHub, GuardDuty, CloudEvents, EventBridge).
    static let wellKnown = JSONNameTable(jsonWellKnownNames)

    private struct Entry: Sendable {
        var key: Key
        var start: Int
        var name: String
    }

    /// A name's length and its first and last eight bytes (zero-padded when shorter), which
    /// together spell any name of up to 16 bytes.
    struct Key: Equatable, Sendable {
        var count: Int
        var head: UInt64
        var tail: UInt64

        /// A hash of the name's UTF-8 (equal names always agree).
        var hash: UInt64 {
            (head ^ (tail &>> 7) ^ UInt64(truncatingIfNeeded: count)) &* 0x9E37_79B9_7F4A_7C15
        }

        /// The key of the name spelled by `text`.
        ///
        /// - Parameters:
        ///   - text: The name's UTF-8.
        ///   - canReadPast: Whether eight bytes from the start of `text` are readable even when
        ///     `text` is shorter.
        @inline(__always)
        init(_ text: UnsafeRawBufferPointer, canReadPast: Bool) {
            count = text.count
            head = 0
            tail = 0
            if count >= 8 {
                head = UInt64(littleEndian: text.loadUnaligned(as: UInt64.self))
                tail = UInt64(littleEndian: text.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self))
            } else if canReadPast {
                let word = UInt64(littleEndian: text.baseAddress.unsafelyUnwrapped.loadUnaligned(as: UInt64.self))
                head = word & ((1 &<< UInt64(count &* 8)) &- 1)
            } else {
                for (position, byte) in text.enumerated() {
                    head |= UInt64(byte) &<< UInt64(position &* 8)
                }
            }
        }
    }

    private let entries: [Entry]
    private let utf8: [UInt8]
    /// Open addressing with linear probing; 0 is empty, otherwise an index into `entries` plus 1.
    private let slots: [UInt16]

    /// Creates a table of names; repeated names are kept once.
    init(_ names: [String]) {
        var utf8: [UInt8] = []
        var entries: [Entry] = []
        for name in Set(names).sorted() {
            let start = utf8.count
            utf8 += name.utf8
            let key = utf8.withUnsafeBytes { Key(UnsafeRawBufferPointer(rebasing: $0[start...]), canReadPast: false) }
            entries.append(Entry(key: key, start: start, name: name))
        }
        precondition(entries.count < Int(UInt16.max), "a name table holds at most 65,534 names")
        var slots = [UInt16](repeating: 0, count: max(16, (entries.count * 4).nextPowerOfTwo))
        for (index, entry) in entries.enumerated() {
            var slot = Self.slot(entry.key.hash, count: slots.count)
            while slots[slot] != 0 {
                slot = (slot + 1) & (slots.count - 1)
            }
            slots[slot] = UInt16(index + 1)
        }
        self.entries = entries
        self.utf8 = utf8
        self.slots = slots
    }

    /// The table's string spelled by `text` (whose key is `key`), or `nil`.
    @inline(__always)
    func name(spelledBy text: UnsafeRawBufferPointer, key: Key) -> String? {
        var slot = Self.slot(key.hash, count: slots.count)
        while true {
            let entry = Int(slots[slot])
            if entry == 0 {
                return nil
            }
            if entries[entry - 1].key == key, key.count <= 16 || middleMatches(entries[entry - 1], text) {
                return entries[entry - 1].name
            }
            slot = (slot + 1) & (slots.count - 1)
        }
    }

    private func middleMatches(_ entry: Entry, _ text: UnsafeRawBufferPointer) -> Bool {
        utf8.withUnsafeBytes { stored in
            var offset = 8
            while offset < text.count - 8 {
                if stored[entry.start + offset] != text[offset] {
                    return false
                }
                offset += 1
            }
            return true
        }
    }

    private static func slot(_ hash: UInt64, count: Int) -> Int {
        Int(truncatingIfNeeded: hash >> 32) & (count - 1)
    }
}

extension Int {
    fileprivate var nextPowerOfTwo: Int {
        self <= 1 ? 1 : 1 << (Int.bitWidth - (self - 1).leadingZeroBitCount)
    }
}
