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
            abstract:
                "Check the configuration file and the rules directory: prints every problem with its file, line and column; exits 1 if any.",
            discussion: """
                With --config (or TOCSIN_CONFIG), checks the server configuration file first: unknown
                keys, types, and every value as 'tocsin serve' would check it with the current
                TOCSIN_* environment. The rules directory is then --rules-dir, TOCSIN_RULES_DIR, the
                file's rules_dir, or ./rules.
                Reads every *.yaml and *.yml file, validates each target and rule (operators, JSON paths,
                unknown keys, types) and that every rule's targets exist among the files' targets.
                Also checks this host for what targets need: an exec target's program is executable, a
                blocklist's nft_file directory exists and is writable.
                Targets defined through the API are not known here; name them with --known-target.
                """
        )

        @Option(
            name: .customLong("config"),
            help: ArgumentHelp("The server configuration file (env TOCSIN_CONFIG).", valueName: "file")
        )
        var configFile: String?

        @Option(name: .customLong("rules-dir"), help: "The rules directory (env TOCSIN_RULES_DIR; default ./rules).")
        var rulesDirectory: String?

        @Option(name: .customLong("known-target"), help: "A target defined elsewhere (repeatable).")
        var knownTargets: [String] = []

        func run() throws {
            let environment = ProcessInfo.processInfo.environment
            var settingProblems: [String] = []
            var settings = ServeSettings(resolver: ServeSettingResolver(environment: environment, file: nil))
            do {
                let read = try ServeSettings.read(configPath: configFile, environment: environment)
                settings = read.settings
                settingProblems = read.diagnostics.map(\.description)
                if settingProblems.isEmpty, let path = settings.resolver.file?.file {
                    do {
                        _ = try ServeCommand.parse(["--config", path]).makeConfiguration(environment: environment)
                    } catch let error as ValidationError {
                        settingProblems.append("\(path): \(error.message)")
                    }
                }
            } catch let error as ConfigError {
                settingProblems = error.diagnostics.map(\.description)
            }
            let directory = settings.text(.rulesDirectory, rulesDirectory) ?? "./rules"
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
                let path = "$.targets.\(target.name)"
                return ActionRegistry.hostProblems(of: target).map {
                    loaded.located(ConfigDiagnostic(path: path, message: $0), definition: path)
                }
            }
            let missing = RoutingTable.missingTargets(rules: loaded.rules, targets: known).map { diagnostic in
                let path = diagnostic.path.dropFirst("rules.".count)
                let rule = path.range(of: ".targets[", options: .backwards).map { path[..<$0.lowerBound] } ?? path
                return loaded.located(diagnostic, definition: "$.rules.\(rule)")
            }
            let problems = settingProblems + (loaded.diagnostics + missing + hostProblems).map(\.description)
            for problem in problems {
                print(problem)
            }
            guard problems.isEmpty else {
                let checked = files.count + (configFile ?? environment["TOCSIN_CONFIG"] == nil ? 0 : 1)
                printError("\(problems.count) problem(s) in \(checked) file(s)")
                throw ExitCode(1)
            }
            print(
                "OK: \(files.count) file(s), \(loaded.rules.count) rule(s), \(loaded.targets.count) target(s), "
                    + "\(loaded.sigma.rules.count) Sigma rule(s), \(loaded.sigma.correlations.count) Sigma correlation(s)"
            )
        }
    }
}
