// SPDX-License-Identifier: Apache-2.0

import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import TocsinCore
import TocsinServer
import TocsinTesting

/// Requests schemathesis found to break the server, kept as plain route tests (docs/api.md).
struct SchemathesisRegressionTests {
    @Test("POST /v1/sources/{format} with an empty array or wrapper stores nothing and answers 202")
    func emptySourceDocument() async throws {
        let test = TestAPI()
        try await test.application.test(.router) { client in
            for (format, body) in [("azure-activity", "[]"), ("cloudtrail", #"{"Records":[]}"#)] {
                try await client.execute(
                    uri: "/v1/sources/\(format)",
                    method: .post,
                    headers: [.authorization: "Bearer \(TestAPI.key(.publisher))", .contentType: "application/json"],
                    body: ByteBuffer(string: body)
                ) { response in
                    #expect(response.status == .accepted, "\(format)")
                    #expect(TestAPI.json(response.body)?["accepted"] == .number(JSONNumber(0)))
                    #expect(TestAPI.json(response.body)?["rejected"] == .number(JSONNumber(0)))
                }
            }
        }
        #expect(try await test.log.lastSequence() == 0)
    }
}
