// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore
import TocsinSources

/// Cutting bodies and TCP streams into records.
struct BodyTests {
    @Test func framerReadsOctetCountingAndNewlineFraming() throws {
        var framer = SyslogFramer(maxMessageBytes: 64)
        #expect(
            try framer.append(Array("11 hello world5 ab".utf8)).map { String(decoding: $0, as: UTF8.self) } == [
                "hello world"
            ]
        )
        #expect(try framer.append(Array("cde".utf8)).map { String(decoding: $0, as: UTF8.self) } == ["abcde"])
        #expect(
            try framer.append(Array("<13>plain line\r\n<14>next".utf8)).map { String(decoding: $0, as: UTF8.self) } == [
                "<13>plain line"
            ]
        )
        #expect(framer.finish().map { String(decoding: $0, as: UTF8.self) } == "<14>next")
        var hostile = SyslogFramer(maxMessageBytes: 64)
        #expect(throws: SourceError.self) { try hostile.append(Array("99999 x".utf8)) }
        var noSpace = SyslogFramer(maxMessageBytes: 64)
        #expect(throws: SourceError.self) { try noSpace.append(Array("12x".utf8)) }
        var endless = SyslogFramer(maxMessageBytes: 64)
        #expect(throws: SourceError.self) { try endless.append([UInt8](repeating: 0x61, count: 100)) }
    }

    @Test func splitterNumbersRecordsAndLines() {
        let splitter = RecordSplitter(isText: false, limits: .init())
        let pretty = "{\n  \"Records\": [\n {\"a\":1},\n {\"a\":2}\n ]\n}\n"
        let (wrapped, none) = splitter.split(Array(pretty.utf8))
        #expect(none.isEmpty && wrapped.map(\.position) == [.init(index: 0, line: nil), .init(index: 1, line: nil)])
        let ndjson = "{\"a\":1}\n\n{bad\n[{\"a\":2},{\"a\":3}]\n"
        let (records, rejected) = splitter.split(Array(ndjson.utf8))
        #expect(records.map(\.position.line) == [1, 4, 4])
        #expect(records.map(\.position.index) == [0, 2, 3])
        #expect(rejected.map(\.position) == [.init(index: 1, line: 3)])
        #expect(splitter.wrappedRecords(Array(pretty.utf8))?.count == 2)
        #expect(splitter.wrappedRecords(Array("{\"a\":1}".utf8)) == nil)
    }
}
