// SPDX-License-Identifier: Apache-2.0

import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing
import TocsinCore
import TocsinServer

/// An erasure administration that records the subjects it is asked to erase.
final class RecordingErasures: ErasureAdministration {
    private let erased = Mutex<[String]>([])

    var subjects: [String] { erased.withLock { $0 } }

    func erase(subject: String, actor: String) async throws -> ErasureReceipt {
        let again = erased.withLock { subjects in
            defer { subjects.append(subject) }
            return subjects.contains(subject)
        }
        return ErasureReceipt(
            keyID: String(repeating: "0", count: 32),
            destroyedKey: !again,
            alreadyErased: again,
            sequence: 9
        )
    }
}

/// `POST /v1/erasures`: the body is checked, the receipt is answered, and no answer echoes the subject.
struct ErasureControllerTests {
    static func erase(_ body: String, role: Role = .admin) async throws -> (HTTPResponse.Status, JSONValue?) {
        let test = TestAPI()
        return try await test.application.test(.router) { client in
            try await client.execute(
                uri: "/v1/erasures",
                method: .post,
                headers: [.authorization: "Bearer \(TestAPI.key(role))", .contentType: "application/json"],
                body: ByteBuffer(string: body)
            ) { response in
                (response.status, TestAPI.json(response.body))
            }
        }
    }

    @Test("an admin erases a subject and gets the receipt")
    func erases() async throws {
        let (status, body) = try await Self.erase(#"{"subject":"alice@example.com"}"#)
        #expect(status == .ok)
        #expect(
            body.map { JSONWriter().string($0) }
                == #"{"key_id":"00000000000000000000000000000000","destroyed_key":true,"already_erased":false,"seq":9}"#
        )
    }

    @Test(
        "invalid bodies are 400 naming the member, never the value",
        arguments: [
            (#"{}"#, "subject"), (#"{"subject":""}"#, "subject"), (#"{"subject":7}"#, "subject"),
            (#"{"subject":"alice@example.com","why":"gdpr"}"#, "why"),
            (#"{"subject":"\#(String(repeating: "a", count: 1025))"}"#, "subject"),
        ]
    )
    func invalid(body: String, member: String) async throws {
        let (status, problem) = try await Self.erase(body)
        #expect(status == .badRequest)
        #expect(problem?["member"] == .string(member))
        #expect(problem?["type"] == .string("urn:tocsin:problem:invalid-erasure-request"))
        #expect(!(problem.map { JSONWriter().string($0) } ?? "").contains("alice@example.com"))
    }

    @Test("a reader may not erase")
    func readerRefused() async throws {
        let (status, _) = try await Self.erase(#"{"subject":"alice@example.com"}"#, role: .reader)
        #expect(status == .forbidden)
    }
}
