// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore
import TocsinSources
import TocsinTesting

/// A JSON document that holds no record (an empty array, or a provider's wrapper around one) is read as
/// no records, not as a record past the end (schemathesis found `[]` to crash the server).
struct EmptyDocumentTests {
    static func read(_ body: String, format: SourceFormat) throws -> (records: Int, rejected: Int) {
        let decoder = SourceDecoder(format: format, referenceMilliseconds: SourceFixtures.reference)
        var reader = try decoder.reader(for: Array(body.utf8))
        var records = 0
        while let chunk = try reader.next() {
            records += chunk.entries.count
        }
        return (records, reader.rejectedCount)
    }

    @Test(
        "an empty array or wrapper is no records",
        arguments: [
            ("[]", SourceFormat.azureActivity),
            ("[]", .cloudtrail),
            (#"{"Records": []}"#, .cloudtrail),
            (#"{"records": []}"#, .azureSignIn),
            ("[]\n[]\n", .okta),
        ]
    )
    func emptyDocument(_ body: String, _ format: SourceFormat) throws {
        let read = try Self.read(body, format: format)
        #expect(read.records == 0 && read.rejected == 0, "\(format.rawValue): \(body)")
    }

    @Test("records after an empty document are still read")
    func recordAfterEmpty() throws {
        let record = #"{"uuid":"e1","published":"2026-11-01T10:00:00Z","eventType":"user.session.start"}"#
        let read = try Self.read("[]\n" + record + "\n", format: .okta)
        #expect(read.records == 1 && read.rejected == 0)
    }
}
