// SPDX-License-Identifier: Apache-2.0

import Testing

@testable import TocsinCore

struct JSONNameTableTests {
    let table = JSONNameTable.wellKnown

    func lookup(_ name: String, padded: Bool) -> String? {
        // Padding makes eight bytes readable past a short name, as inside a document.
        let bytes = Array(name.utf8) + (padded ? Array(repeating: UInt8(ascii: "\""), count: 8) : [])
        return bytes.withUnsafeBytes { buffer in
            let text = UnsafeRawBufferPointer(rebasing: buffer[0..<name.utf8.count])
            return table.name(spelledBy: text, key: JSONNameTable.Key(text, canReadPast: padded))
        }
    }

    @Test("every well-known name is found by its own bytes, with or without bytes after it")
    func findsEveryName() {
        for name in jsonWellKnownNames {
            #expect(lookup(name, padded: true) == name)
            #expect(lookup(name, padded: false) == name)
        }
    }

    @Test("a name one byte longer, shorter or different is not confused with a table name")
    func rejectsNearMisses() {
        let known = Set(jsonWellKnownNames)
        for name in jsonWellKnownNames {
            let bytes = Array(name.utf8)
            var changed = bytes
            changed[bytes.count / 2] ^= 0x01
            let variants = [name + "x", String(name.dropLast()), String(decoding: changed, as: UTF8.self)]
            for variant in variants where !known.contains(variant) {
                #expect(lookup(variant, padded: true) == nil, "\(variant)")
            }
        }
    }

    @Test("a small table built from any names finds exactly those names")
    func customTable() {
        let names = ["", "a", "ab", String(repeating: "x", count: 40), "sixteen-bytes-ab", "seventeen-bytes-a"]
        let custom = JSONNameTable(names + ["a"])
        for name in names {
            let bytes = Array(name.utf8)
            let found = bytes.withUnsafeBytes {
                custom.name(spelledBy: $0, key: JSONNameTable.Key($0, canReadPast: false))
            }
            #expect(found == name)
        }
        let missing = Array("seventeen-bytes-b".utf8)
        #expect(
            missing.withUnsafeBytes { custom.name(spelledBy: $0, key: JSONNameTable.Key($0, canReadPast: false)) }
                == nil
        )
    }
}
