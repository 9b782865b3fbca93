// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore

@testable import TocsinRuntime

/// Folding the log's `tocsin.rule.*` events into the API's rules at a sequence number.
struct RuleHistoryTests {
    static func change(
        _ sequence: Int64,
        _ type: String,
        _ name: String,
        pattern: String? = nil,
        source: String = "/tocsin/admin"
    )
        -> LoggedEvent
    {
        let definition = pattern.map { #","definition":{"pattern":{"type":["\#($0)"]},"targets":[]}"# } ?? ""
        return LoggedEvent(
            sequence: sequence,
            event: CloudEvent(
                id: "c\(sequence)",
                source: source,
                type: type,
                data: .json(Array(#"{"name":"\#(name)"\#(definition),"actor":"admin"}"#.utf8))
            ),
            ingestMilliseconds: sequence,
            hash: []
        )
    }

    static let log: [LoggedEvent] = [
        change(1, "tocsin.rule.created", "a", pattern: "one"),
        change(2, "tocsin.rule.created", "b", pattern: "two"),
        change(3, "tocsin.rule.updated", "a", pattern: "three"),
        change(4, "tocsin.target.created", "t"),
        change(5, "tocsin.rule.deleted", "b"),
        change(6, "tocsin.rule.created", "c", pattern: "forged", source: "/elsewhere"),
    ]

    static let versions: [(Int64, [String: String])] = [
        (0, [:]),
        (1, ["a": "one"]),
        (2, ["a": "one", "b": "two"]),
        (3, ["a": "three", "b": "two"]),
        (5, ["a": "three"]),
        (6, ["a": "three"]),
    ]

    @Test("each sequence number gives the rules as they stood", arguments: versions)
    func fold(through: Int64, expected: [String: String]) {
        let rules = RuleHistory.fold(Self.log, through: through)
        let types = rules.mapValues { definition -> String in
            guard case .array(let values)? = definition["pattern"]?["type"] else {
                return "?"
            }
            return values.first?.stringValue ?? "?"
        }
        #expect(types == expected)
    }
}
