// SPDX-License-Identifier: Apache-2.0

import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing
import TocsinCore
import TocsinTesting

/// The Server-Sent Events live tail.
struct StreamTests {
    /// Opens the stream; it returns once the response head arrived, when the stream's starting
    /// cursor is already fixed, so whatever is published afterwards is streamed.
    func open(
        _ server: ServerProcess,
        query: String = "",
        lastEventID: String? = nil
    ) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: server.baseURL + "/v1/stream" + query)
        request.headers.add(name: "Authorization", value: "Bearer \(server.adminKey)")
        if let lastEventID {
            request.headers.add(name: "Last-Event-ID", value: lastEventID)
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(20))
        #expect(response.headers.first(name: "content-type") == "text/event-stream")
        return response
    }

    /// Reads SSE `id:` lines until `count` events arrived (or the 20 s request timeout ends it).
    func readIDs(_ response: HTTPClientResponse, count: Int) async throws -> [Int64] {
        var ids: [Int64] = []
        var text = ""
        for try await buffer in response.body {
            text += String(buffer: buffer)
            while let range = text.range(of: "\n\n") {
                let block = text[..<range.lowerBound]
                text.removeSubrange(..<range.upperBound)
                for line in block.split(separator: "\n") where line.hasPrefix("id: ") {
                    ids.append(Int64(line.dropFirst(4)) ?? -1)
                }
            }
            if ids.count >= count {
                break
            }
        }
        return ids
    }

    func publish(_ server: ServerProcess, ids: ClosedRange<Int>, type: String = "t") async throws {
        let events = ids.map { #"{"specversion":"1.0","id":"\#($0)","source":"/s","type":"\#(type)"}"# }
        let answer = try await call(
            server.baseURL + "/v1/events",
            method: .POST,
            headers: [
                ("Authorization", "Bearer \(server.adminKey)"), ("content-type", "application/cloudevents-batch+json"),
            ],
            body: Array("[\(events.joined(separator: ","))]".utf8)
        )
        #expect(answer.status == 202)
    }

    @Test("the stream resumes after Last-Event-ID and then follows new commits")
    func resumeAndFollow() async throws {
        let directory = try TemporaryDirectory(prefix: "tocsin-sse")
        defer { directory.remove() }
        let server = try await ServerProcess.start(dataDirectory: directory.path + "/data")
        try await publish(server, ids: 1...5)
        let resumed = try await open(server, lastEventID: "3")
        try await publish(server, ids: 6...8)
        #expect(try await readIDs(resumed, count: 5) == [4, 5, 6, 7, 8])
        #expect(try await readIDs(open(server, query: "?after=6"), count: 2) == [7, 8])
        #expect(await server.terminate() == 0)
    }

    @Test("without a cursor the stream starts at the end; filters apply")
    func liveOnlyWithFilter() async throws {
        let directory = try TemporaryDirectory(prefix: "tocsin-sse")
        defer { directory.remove() }
        let server = try await ServerProcess.start(dataDirectory: directory.path + "/data")
        try await publish(server, ids: 1...3)
        let live = try await open(server, query: "?type=wanted")
        try await publish(server, ids: 4...6)
        try await publish(server, ids: 7...8, type: "wanted")
        #expect(try await readIDs(live, count: 2) == [7, 8])
        #expect(await server.terminate() == 0)
    }
}
