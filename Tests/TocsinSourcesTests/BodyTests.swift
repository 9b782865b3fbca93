// SPDX-License-Identifier: Apache-2.0

import Foundation
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

    /// A wrapper's record keeps its own bytes only when they are what encoding it again would write.
    ///
    /// Otherwise it is encoded again; either way `data` is the canonical form.
    @Test(arguments: [
        (#"{"Records":[{"a":1,"b":"x\"y"},{"c":[1,2.50,{"d":null}]}]}"#, [true, true]),
        (#"[{"a":1} , {"b":true}]"#, [true, true]),
        ("{\"Records\": [\n {\"a\": 1},\n {\"b\":\"\\u0041\\/\"}\n]}", [false, false]),
        (#"{"x":{"y":[1]},"Recor\u0064s":[{"a":1}]}"#, [false]),
        (#"{"kind":"EventList","items":[{"auditID":"1","n":"\n\t"}]}"#, [true]),
        (#"{"eventType":"com.okta.event_hook","data":{"events":[{"uuid":"u","t":"a\tb"}]}}"#, [true]),
    ])
    func wrapperRecordsKeepCanonicalBytes(body: String, keptRaw: [Bool]) throws {
        let bytes = Array(body.utf8)
        let (records, rejected) = RecordSplitter(isText: false, limits: .init()).split(bytes)
        #expect(rejected.isEmpty)
        #expect(records.count == keptRaw.count)
        for (record, expectRaw) in zip(records, keptRaw) {
            guard case .json(let value, let raw) = record.content else {
                Issue.record("not JSON")
                continue
            }
            #expect((raw != nil) == expectRaw)
            if let raw {
                #expect(raw == JSONWriter().bytes(value), "kept bytes are exactly the canonical encoding")
                #expect(try JSONParser().parse(raw) == value)
            }
        }
    }

    /// Every wrapper fixture: each record's `data` is canonical (encoding it again changes nothing).
    @Test func wrapperFixturesStoreCanonicalData() throws {
        var checked = 0
        for folder in ["cloudtrail", "k8s-audit", "okta"] {
            for file in try SourceFixtures.files(folder) {
                let bytes = Array(try Data(contentsOf: file))
                guard RecordSplitter(isText: false, limits: .init()).wrappedRecords(bytes) != nil else {
                    continue
                }
                let format = SourceFormat(rawValue: folder) ?? .cloudtrail
                let batch = try SourceDecoder(format: format, referenceMilliseconds: SourceFixtures.reference)
                    .decode(bytes)
                for entry in batch.entries {
                    guard case .json(let data)? = entry.event.data else {
                        continue
                    }
                    #expect(JSONWriter().bytes(try JSONParser().parse(data)) == data, "\(file.lastPathComponent)")
                    checked += 1
                }
            }
        }
        #expect(checked > 5)
    }
}
