// SPDX-License-Identifier: Apache-2.0

import TocsinCore
import TocsinTesting

/// Polls `probe` until `condition` holds or `timeout` passes; returns the last value.
///
/// Tests wait on a condition this way, never by sleeping and then asserting.
func eventually<T>(
    timeout: Duration = .seconds(20),
    _ probe: () async throws -> T,
    until condition: (T) -> Bool
) async throws -> T {
    var last = try await probe()
    do {
        return try await TocsinTesting.eventually(timeout: timeout) {
            last = try await probe()
            return condition(last) ? last : nil
        }
    } catch is ConditionNeverMet {
        return last
    }
}

/// The `reason identity` of each `tocsin.auth.denied` event in an events answer.
func denialSummaries(_ answer: JSONValue?) -> [String] {
    guard case .array(let events)? = answer?["events"] else {
        return []
    }
    return events.map {
        "\($0["event"]?["data"]?["reason"]?.stringValue ?? "?") \($0["event"]?["data"]?["identity"]?.stringValue ?? "-")"
    }
}
