// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import Foundation
import TocsinActions
import TocsinConfig
import TocsinCore
import TocsinRuntime
import TocsinStore

/// `tocsin rules`: test rules offline, inline or against stored history.
struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Test the rules of a rules directory: their inline tests, or over stored history.",
        subcommands: [Test.self, Backtest.self]
    )

    /// The rules directory of a command: loaded, or exit 2 with every problem.
    static func load(_ directory: String) throws -> ConfigDirectory {
        let loaded: ConfigDirectory
        do {
            loaded = ConfigDirectory(files: try RulesDirectory.files(at: directory), kinds: ActionRegistry.targetKinds)
        } catch {
            printError("error: cannot read the rules directory \(directory)")
            throw ExitCode(2)
        }
        guard loaded.diagnostics.isEmpty else {
            for diagnostic in loaded.diagnostics {
                printError(diagnostic.description)
            }
            throw ExitCode(2)
        }
        return loaded
    }

    /// `tocsin rules test DIR`: every rule's inline `tests:`.
    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the inline tests of every rule in a rules directory.",
            discussion: """
                A rule may list tests: events and what it must do with them ('match: true|false' for every
                event, or 'alerts: N' over the events for a detection rule). Sigma rules and correlations
                take tests in a rules file's 'sigma:' settings, keyed by the Sigma id or name, with Tocsin
                events (CloudEvent JSON whose 'data' is the record). Prints PASS or FAIL per test, then a
                count. Exits 1 when a test fails, 2 when the directory does not load.
                """
        )

        @Argument(help: "The rules directory (default: TOCSIN_RULES_DIR, else ./rules).")
        var directory: String?

        func run() throws {
            let loaded = try RulesCommand.load(directory ?? Environment.value("TOCSIN_RULES_DIR") ?? "./rules")
            var failures = 0
            var count = 0
            for rule in loaded.rules.sorted(by: { $0.name < $1.name }) {
                for (index, test) in rule.tests.enumerated() {
                    count += 1
                    let outcome = test.outcome(of: rule)
                    if outcome == test.expectation {
                        print("PASS \(rule.name) tests[\(index)]")
                    } else {
                        failures += 1
                        print(
                            "FAIL \(rule.name) tests[\(index)]: expected \(Self.text(test.expectation)), got \(Self.text(outcome))"
                        )
                    }
                }
            }
            for settings in loaded.sigma.settings.sorted(by: { $0.reference < $1.reference }) {
                for (index, test) in settings.tests.enumerated() {
                    count += 1
                    let outcome = test.outcome(ofSigma: settings.reference, in: loaded.sigma)
                    if outcome == test.expectation {
                        print("PASS sigma \(settings.reference) tests[\(index)]")
                    } else {
                        failures += 1
                        let found = outcome.map(Self.text) ?? "no such rule"
                        print(
                            "FAIL sigma \(settings.reference) tests[\(index)]: expected \(Self.text(test.expectation)), got \(found)"
                        )
                    }
                }
            }
            print("\(count) test(s), \(failures) failed")
            if failures > 0 {
                throw ExitCode(1)
            }
        }

        static func text(_ expectation: RuleTest.Expectation) -> String {
            switch expectation {
            case .match(true): "a match"
            case .match(false): "no match"
            case .alerts(let count): "\(count) alert(s)"
            }
        }
    }

    /// `tocsin rules backtest RULE --from T --to T`: what a rule would have raised over history.
    struct Backtest: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run one rule over the stored log and print the alerts it would have raised.",
            discussion: """
                RULE is a pattern rule with a detection (threshold, first_seen, absence, impossible_travel),
                a Sigma rule (id or name) or a Sigma correlation of the rules directory (with the
                correlations it chains onto). Events whose time lies in [--from, --to) are replayed in log order, from
                empty state, through the server's own detection code; nothing is appended. Prints one JSON
                line per alert (the data of the tocsin.alert.raised it would have appended), then a summary
                on standard error. Reads the data directory directly, safely beside a running server.
                """
        )

        @Argument(help: "The rule's name, Sigma id or Sigma name.")
        var rule: String

        @Option(help: "The first event time, RFC 3339 (inclusive).")
        var from: String

        @Option(help: "The last event time, RFC 3339 (exclusive).")
        var to: String

        @Option(name: .customLong("rules-dir"), help: "The rules directory (env TOCSIN_RULES_DIR; default ./rules).")
        var rulesDirectory: String?

        @Option(name: .customLong("data-dir"), help: "Data directory (env TOCSIN_DATA_DIR; default ./tocsin-data).")
        var dataDirectory: String?

        func run() throws {
            guard let start = Timestamp(rfc3339: from)?.epochMilliseconds else {
                throw ValidationError("--from must be an RFC 3339 time such as 2026-11-01T00:00:00Z")
            }
            guard let end = Timestamp(rfc3339: to)?.epochMilliseconds, end > start else {
                throw ValidationError("--to must be an RFC 3339 time after --from")
            }
            let loaded = try RulesCommand.load(rulesDirectory ?? Environment.value("TOCSIN_RULES_DIR") ?? "./rules")
            let table: DetectionTable
            do {
                table = try DetectionTable.only(rule, rules: loaded.rules, sigma: loaded.sigma)
            } catch {
                for diagnostic in error.diagnostics {
                    printError(diagnostic.description)
                }
                throw ExitCode(2)
            }
            let log = LogReader(dataDirectory: dataDirectory ?? Environment.value("TOCSIN_DATA_DIR") ?? "./tocsin-data")
            let writer = JSONWriter()
            let summary = try DetectionBacktest.run(table, log: log, from: start, to: end) { alert in
                print(writer.string(alert))
            }
            printError(
                "backtest: \(summary.events) event(s) from \(from) to \(to), \(summary.alerts) alert(s), \(summary.late) late"
            )
        }
    }
}
