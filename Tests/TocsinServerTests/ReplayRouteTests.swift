// SPDX-License-Identifier: Apache-2.0

import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing
import TocsinCore
import TocsinServer

/// `/v1/replays`: request validation as problem documents, what reaches the back end, and roles.
struct ReplayRouteTests {
    static func send(
        _ client: some TestClientProtocol,
        _ uri: String,
        method: HTTPRequest.Method = .get,
        role: Role = .admin,
        body: String? = nil
    ) async throws -> TestAPI.Answer {
        try await TestAPI.send(client, uri, method: method, role: role, body: body)
    }

    struct Invalid: Sendable, CustomTestStringConvertible {
        let body: String
        let paths: [String]
        var testDescription: String { body }
    }

    static let invalid: [Invalid] = [
        Invalid(body: "[]", paths: [""]),
        Invalid(body: #"{"to": 5, "dry_run": true}"#, paths: ["/from"]),
        Invalid(body: #"{"from": 0, "to": 5, "dry_run": true}"#, paths: ["/from"]),
        Invalid(body: #"{"from": 9, "to": 5, "dry_run": true}"#, paths: ["/to"]),
        Invalid(
            body: #"{"from": "2026-11-02T00:00:00Z", "to": "2026-11-01T00:00:00Z", "dry_run": true}"#,
            paths: ["/to"]
        ),
        Invalid(body: #"{"from": "yesterday", "to": 5, "dry_run": true}"#, paths: ["/from"]),
        Invalid(body: #"{"from": 1, "to": 5}"#, paths: ["/dry_run"]),
        Invalid(body: #"{"from": 1, "to": 5, "dry_run": "yes"}"#, paths: ["/dry_run"]),
        Invalid(body: #"{"from": 1, "to": 5, "dry_run": false}"#, paths: ["/targets"]),
        Invalid(body: #"{"from": 1, "to": 5, "dry_run": false, "targets": null}"#, paths: ["/targets"]),
        Invalid(body: #"{"from": 1, "to": 5, "dry_run": true, "rules": []}"#, paths: ["/rules"]),
        Invalid(body: #"{"from": 1, "to": 5, "dry_run": true, "targets": ["a", 3]}"#, paths: ["/targets/1"]),
        Invalid(body: #"{"from": 1, "to": 5, "dry_run": true, "pattern": {"source": "x"}}"#, paths: ["/pattern"]),
        Invalid(body: #"{"from": 1, "to": 5, "dry_run": true, "examples": 5000}"#, paths: ["/examples"]),
        Invalid(body: #"{"from": 1, "to": 5, "dry_run": true, "colour": "red"}"#, paths: ["/colour"]),
        Invalid(body: #"{"from": 1, "to": 5, "dry_run": true, "rules_as_of": 0}"#, paths: ["/rules_as_of"]),
        Invalid(
            body: #"{"to": "soon", "dry_run": 1, "colour": "red"}"#,
            paths: ["/colour", "/from", "/to", "/dry_run"]
        ),
    ]

    @Test("an invalid request is a 400 invalid-replay problem naming each member", arguments: invalid)
    func rejects(_ testCase: Invalid) async throws {
        let memory = MemoryReplays()
        try await TestAPI(replays: memory).application.test(.router) { client in
            let answer = try await Self.send(client, "/v1/replays", method: .post, body: testCase.body)
            #expect(answer.status == .badRequest)
            #expect(answer.json?["type"] == .string("urn:tocsin:problem:invalid-replay"))
            guard case .array(let problems)? = answer.json?["problems"] else {
                Issue.record("no problems member")
                return
            }
            #expect(problems.compactMap { $0["path"]?.stringValue } == testCase.paths)
        }
        #expect(memory.requests.withLock { $0.isEmpty })
    }

    @Test("a valid request reaches the back end as parsed and answers 202 with its location")
    func accepts() async throws {
        let memory = MemoryReplays()
        try await TestAPI(replays: memory).application.test(.router) { client in
            let body = #"""
                {"from": "2026-11-01T00:00:00Z", "to": 500, "rules": ["ssh-bruteforce"], "targets": ["pager"],
                 "pattern": {"source": ["/ssh"]}, "dry_run": true, "examples": 3}
                """#
            let answer = try await Self.send(client, "/v1/replays", method: .post, body: body)
            #expect(answer.status == .accepted)
            #expect(answer.headers[.location] == "/v1/replays/1")
            let listed = try await Self.send(client, "/v1/replays?limit=5", role: .reader)
            #expect(listed.status == .ok)
            let one = try await Self.send(client, "/v1/replays/1", role: .reader)
            #expect(one.json?["request"]?["to"] == .number(JSONNumber(500)))
        }
        let request = try #require(memory.requests.withLock { $0.first })
        #expect(request.from == .time(1_793_491_200_000))
        #expect(request.to == .sequence(500))
        #expect(request.rules == ["ssh-bruteforce"] && request.targets == ["pager"])
        #expect(request.examples == 3 && request.dryRun)
        #expect(request.pattern?["source"] == .array([.string("/ssh")]))
    }

    @Test("unknown rules from the back end, unknown ids and bad ids are problems")
    func backEndProblems() async throws {
        try await TestAPI().application.test(.router) { client in
            let unknown = try await Self.send(
                client,
                "/v1/replays",
                method: .post,
                body: #"{"from": 1, "to": 2, "rules": ["unknown"], "dry_run": true}"#
            )
            #expect(unknown.status == .badRequest)
            #expect(unknown.json?["type"] == .string("urn:tocsin:problem:invalid-replay"))
            #expect((try await Self.send(client, "/v1/replays/7")).status == .notFound)
            #expect((try await Self.send(client, "/v1/replays/x")).status == .badRequest)
            #expect((try await Self.send(client, "/v1/replays?colour=red")).status == .badRequest)
        }
    }

    @Test("a replay into targets reaches the back end with its targets and dry_run false")
    func acceptsDelivering() async throws {
        let memory = MemoryReplays()
        try await TestAPI(replays: memory).application.test(.router) { client in
            let body = #"{"from": 1, "to": 9, "targets": ["hook"], "dry_run": false}"#
            let answer = try await Self.send(client, "/v1/replays", method: .post, body: body)
            #expect(answer.status == .accepted)
            #expect(answer.json?["request"]?["dry_run"] == .bool(false))
        }
        let request = try #require(memory.requests.withLock { $0.first })
        #expect(!request.dryRun && request.targets == ["hook"])
    }

    @Test("a missing or tampered archive file is a 503 archive-unavailable problem naming the file")
    func archiveUnavailable() async throws {
        try await TestAPI(replays: MemoryReplays()).application.test(.router) { client in
            let answer = try await Self.send(
                client,
                "/v1/replays",
                method: .post,
                body: #"{"from": 1, "to": 2, "rules": ["archived"], "dry_run": true}"#
            )
            #expect(answer.status == .serviceUnavailable)
            #expect(answer.json?["type"] == .string("urn:tocsin:problem:archive-unavailable"))
            #expect(answer.json?["archive"] == .string(MemoryReplays.tamperedArchive))
            #expect(answer.json?["detail"]?.stringValue?.hasPrefix(MemoryReplays.tamperedArchive) == true)
        }
    }

    @Test("starting a replay, a shadow report or one into targets, is an admin grant; reading one is a reader's")
    func roles() async throws {
        try await TestAPI().application.test(.router) { client in
            for body in [
                #"{"from": 1, "to": 2, "dry_run": true}"#, #"{"from": 1, "to": 2, "targets": ["t"], "dry_run": false}"#,
            ] {
                for role in [Role.reader, .responder, .publisher, .feed] {
                    let answer = try await Self.send(client, "/v1/replays", method: .post, role: role, body: body)
                    #expect(answer.status == .forbidden, "\(role)")
                }
            }
            #expect((try await Self.send(client, "/v1/replays", role: .reader)).status == .ok)
            #expect((try await Self.send(client, "/v1/replays", role: .publisher)).status == .forbidden)
        }
    }
}
