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
        #expect(Self.types(RuleHistory.fold(Self.log, through: through)) == expected)
    }

    static func types(_ rules: [String: JSONValue]) -> [String: String] {
        rules.mapValues { definition -> String in
            guard case .array(let values)? = definition["pattern"]?["type"] else {
                return "?"
            }
            return values.first?.stringValue ?? "?"
        }
    }

    static func reloaded(_ sequence: Int64, _ names: [String], source: String = "/tocsin/config") -> LoggedEvent {
        let list = names.map { "\"\($0)\"" }.joined(separator: ",")
        return LoggedEvent(
            sequence: sequence,
            event: CloudEvent(
                id: "r\(sequence)",
                source: source,
                type: "tocsin.config.reloaded",
                data: .json(Array(#"{"files":1,"rules":[\#(list)],"actor":"rules-directory"}"#.utf8))
            ),
            ingestMilliseconds: sequence,
            hash: []
        )
    }

    static func sigma(_ sequence: Int64, _ name: String) -> LoggedEvent {
        LoggedEvent(
            sequence: sequence,
            event: CloudEvent(
                id: "s\(sequence)",
                source: "/tocsin/config",
                type: "tocsin.rule.loaded",
                data: .json(Array(#"{"name":"\#(name)","file":"s.yml","definition":"title: x"}"#.utf8))
            ),
            ingestMilliseconds: sequence,
            hash: []
        )
    }

    /// A start-up load of `login` and `ssh`, a reload that changes `login`, one that removes `ssh`,
    /// with a Sigma rule's text and a forged load from another source in between.
    static let directoryLog: [LoggedEvent] = [
        change(1, "tocsin.rule.loaded", "login", pattern: "signin", source: "/tocsin/config"),
        change(2, "tocsin.rule.loaded", "ssh", pattern: "ssh.failed", source: "/tocsin/config"),
        sigma(3, "sigma-rule"),
        reloaded(4, ["login", "ssh"]),
        change(5, "tocsin.rule.loaded", "login", pattern: "signin.v2", source: "/tocsin/config"),
        reloaded(6, ["login", "ssh"]),
        reloaded(7, ["login"]),
        change(8, "tocsin.rule.loaded", "login", pattern: "forged", source: "/elsewhere"),
        reloaded(9, ["login", "forged"], source: "/elsewhere"),
    ]

    static let directoryVersions: [(Int64, [String: String])] = [
        (0, [:]),
        (3, [:]),
        (4, ["login": "signin", "ssh": "ssh.failed"]),
        (5, ["login": "signin", "ssh": "ssh.failed"]),
        (6, ["login": "signin.v2", "ssh": "ssh.failed"]),
        (9, ["login": "signin.v2"]),
    ]

    @Test(
        "the rules directory's pattern rules as the last load before each sequence held them",
        arguments: directoryVersions
    )
    func directory(through: Int64, expected: [String: String]) throws {
        #expect(Self.types(try RuleHistory.directoryRules(Self.directoryLog, through: through)) == expected)
    }

    @Test("a pattern rule that became a Sigma rule of the same name keeps no pattern text")
    func patternTurnedSigma() {
        let log = [
            Self.change(1, "tocsin.rule.loaded", "x", pattern: "old", source: "/tocsin/config"),
            Self.sigma(2, "x"), Self.reloaded(3, ["x"]),
        ]
        #expect(throws: (any Error).self) { try RuleHistory.directoryRules(log, through: 3) }
    }

    @Test("a load that names a rule whose text the log lacks is refused, naming the rule")
    func directoryWithoutText() {
        let log = [
            Self.change(1, "tocsin.rule.loaded", "kept", pattern: "x", source: "/tocsin/config"),
            Self.reloaded(2, ["old-rule", "kept"]),
        ]
        #expect {
            try RuleHistory.directoryRules(log, through: 2)
        } throws: { error in
            "\(error)".contains("'old-rule'") && !"\(error)".contains("'kept'")
        }
    }
}
