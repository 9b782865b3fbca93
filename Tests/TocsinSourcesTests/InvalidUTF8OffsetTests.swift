// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore
import TocsinSources

/// A text line refused for invalid UTF-8 names the byte where the bad sequence starts.
struct InvalidUTF8OffsetTests {
    /// A line and the offset of its first invalid byte.
    struct Case: Sendable, CustomTestStringConvertible {
        let line: [UInt8]
        let offset: Int

        var testDescription: String { "invalid byte at \(offset)" }
    }

    static let cases: [Case] = [
        Case(line: Array("<13>Dec 5 ssh ".utf8) + [0xFF] + Array(" tail".utf8), offset: 14),
        Case(line: [0xC3], offset: 0),
        Case(line: Array("é ok ".utf8) + [0xE2, 0x82], offset: 6),
    ]

    @Test("the offset is that of the first byte that does not start a valid sequence", arguments: cases)
    func offset(_ example: Case) {
        let (records, rejected) = RecordSplitter(isText: true, limits: .init()).split(example.line + [0x0A])
        #expect(records.isEmpty)
        #expect(rejected.map(\.error.offset) == [example.offset])
        #expect(rejected.first?.error.description == "byte \(example.offset): invalid UTF-8")
    }
}
