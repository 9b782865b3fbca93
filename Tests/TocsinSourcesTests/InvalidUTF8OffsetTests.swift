// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore
import TocsinSources

/// A text line refused for invalid UTF-8 names the byte where the bad sequence starts.
struct InvalidUTF8OffsetTests {
    @Test(
        "the offset is that of the first byte that does not start a valid sequence",
        arguments: [
            (Array("<13>Dec 5 ssh ".utf8) + [0xFF] + Array(" tail".utf8), 14),
            ([0xC3], 0),
            (Array("é ok ".utf8) + [0xE2, 0x82], 5),
        ]
    )
    func offset(_ line: [UInt8], _ expected: Int) {
        let (records, rejected) = RecordSplitter(isText: true, limits: .init()).split(line + [0x0A])
        #expect(records.isEmpty)
        #expect(rejected.map(\.error.offset) == [expected])
        #expect(rejected.first?.error.description == "byte \(expected): invalid UTF-8")
    }
}
