// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import Foundation
import TocsinActions
import TocsinConfig
import TocsinRuntime

/// `tocsin config`: validate configuration offline.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Validate configuration files.",
        subcommands: [Check.self]
    )

    /// `tocsin config check`: every problem of the rules directory at once.
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the rules directory: prints every problem with its file, line and column; exits 1 if any.",
            discussion: """
                Reads every *.yaml and *.yml file, validates each target and rule (operators, JSON paths,
                unknown keys, types) and that every rule's targets exist among the files' targets.
                Also checks this host for what targets need: an exec target's program is executable, a
                blocklist's nft_file directory exists and is writable.
                Targets defined through the API are not known here; name them with --known-target.
                """
        )

        @Option(name: .customLong("rules-dir"), help: "The rules directory (env TOCSIN_RULES_DIR; default ./rules).")
        var rulesDirectory: String?

        @Option(name: .customLong("known-target"), help: "A target defined elsewhere (repeatable).")
        var knownTargets: [String] = []

        func run() throws {
            let directory = rulesDirectory ?? Environment.value("TOCSIN_RULES_DIR") ?? "./rules"
            let files: [(name: String, text: String)]
            do {
                files = try RulesDirectory.files(at: directory)
            } catch {
                printError("error: cannot read the rules directory \(directory)")
                throw ExitCode(2)
            }
            let loaded = ConfigDirectory(files: files, kinds: ActionRegistry.targetKinds)
            let known = Set(loaded.targets.map(\.name) + knownTargets)
            let hostProblems = loaded.targets.sorted { $0.name < $1.name }.flatMap { target in
                ActionRegistry.hostProblems(of: target).map { "targets.\(target.name): \($0)" }
            }
            let problems =
                (loaded.diagnostics + RoutingTable.missingTargets(rules: loaded.rules, targets: known)).map(
                    \.description
                ) + hostProblems
            for problem in problems {
                print(problem)
            }
            guard problems.isEmpty else {
                printError("\(problems.count) problem(s) in \(files.count) file(s)")
                throw ExitCode(1)
            }
            print(
                "OK: \(files.count) file(s), \(loaded.rules.count) rule(s), \(loaded.targets.count) target(s), "
                    + "\(loaded.sigma.rules.count) Sigma rule(s), \(loaded.sigma.correlations.count) Sigma correlation(s)"
            )
        }
    }
}
