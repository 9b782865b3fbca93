// SPDX-License-Identifier: Apache-2.0

import Foundation
import NIOHTTP1
import TocsinCore

/// Calls of the routing API that the delivery tests share.
extension ServerProcess {
    var authorization: (String, String) {
        ("Authorization", "Bearer \(adminKey)")
    }

    /// `PUT /v1/{rules|targets}/{name}`; expects 200 or 201.
    func define(_ kind: String, _ name: String, _ json: String) async throws {
        let answer = try await call(
            "\(baseURL)/v1/\(kind)s/\(name)",
            method: .PUT,
            headers: [authorization],
            body: Array(json.utf8)
        )
        guard answer.status == 200 || answer.status == 201 else {
            throw HarnessError(
                description: "PUT \(kind) \(name): \(answer.status) \(String(decoding: answer.body, as: UTF8.self))"
            )
        }
    }

    /// Publishes a batch of events of `type` with the ids given; returns their sequence numbers.
    func publish(
        type: String,
        ids: [String],
        data: (String) -> String = { _ in #"{"ip":"203.0.113.9"}"# }
    ) async throws -> [Int64] {
        let events = ids.map {
            #"{"specversion":"1.0","id":"\#($0)","source":"/test","type":"\#(type)","data":\#(data($0))}"#
        }
        let answer = try await call(
            baseURL + "/v1/events",
            method: .POST,
            headers: [authorization, ("content-type", "application/cloudevents-batch+json")],
            body: Array("[\(events.joined(separator: ","))]".utf8)
        )
        guard answer.status == 202, case .array(let receipts)? = answer.json?["events"] else {
            throw HarnessError(description: "publish: \(answer.status)")
        }
        return receipts.compactMap { receipt in
            if case .number(let number)? = receipt["seq"] {
                return number.int64Value
            }
            return nil
        }
    }

    /// `GET /v1/deliveries?event=SEQ`.
    func deliveries(event: Int64) async throws -> [JSONValue] {
        let answer = try await call("\(baseURL)/v1/deliveries?event=\(event)", headers: [authorization])
        guard case .array(let items)? = answer.json?["deliveries"] else {
            return []
        }
        return items
    }

    /// `GET /v1/dlq` with a query string.
    func deadLetters(_ query: String = "") async throws -> [JSONValue] {
        let answer = try await call("\(baseURL)/v1/dlq\(query)", headers: [authorization])
        guard case .array(let items)? = answer.json?["dead_letters"] else {
            return []
        }
        return items
    }

    /// Events of `type` in the log.
    func events(type: String) async throws -> [JSONValue] {
        let answer = try await call("\(baseURL)/v1/events?type=\(type)&limit=1000", headers: [authorization])
        guard case .array(let items)? = answer.json?["events"] else {
            return []
        }
        return items
    }

    /// Polls `probe` until `condition` holds or `timeout` passes; returns the last value.
    func eventually<T: Sendable>(
        timeout: Duration = .seconds(20),
        _ probe: () async throws -> T,
        until condition: (T) -> Bool
    ) async throws -> T {
        try await IntegrationTests.eventually(timeout: timeout, probe, until: condition)
    }
}

extension JSONValue {
    /// The integer at `key`, if it is one.
    func integer(_ key: String) -> Int64? {
        if case .number(let number)? = self[key] {
            return number.int64Value
        }
        return nil
    }
}
