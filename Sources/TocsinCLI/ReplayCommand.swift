// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import Foundation
import NIOHTTP1
import TocsinCore

/// `tocsin replay`: re-run a stretch of the log through the rules and report what they would do.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract:
            "Re-run stored events through the rules and report what would have matched, alerted and been delivered.",
        discussion: """
            A replay reads the events of a range in sequence order and runs them through the rules in
            force: pattern rules, Sigma rules and stateful detections, with empty detection state at the
            start of the range. With --dry-run nothing is sent and nothing is raised in the live log: the
            server builds a shadow report (counts per rule and target, and the first examples by
            sequence number). With --deliver the chosen rules' matches and alerts also go to the
            --targets, through the normal delivery path, marked as replays (header Tocsin-Replay, a
            replay member in the payload, idempotency keys of their own); the alerts are still not
            raised in the live log. A range may reach into archived records: the server reads them from
            its verified archive files. The replay itself is recorded in the log (tocsin.replay.started and
            tocsin.replay.completed), survives a server restart (it runs again from its start and gives
            the same report), and is deterministic: the same range gives the same alerts in the same order.

            --from and --to are each a sequence number (both ends included) or an RFC 3339 time
            compared with ingest time (--from included, --to excluded).

            Starting a replay needs the routing:manage permission (admin); 'tocsin replay status' and
            'tocsin replay list' need routing:read (reader and up). See docs/replay.md.
            """,
        subcommands: [Start.self, Status.self, List.self],
        defaultSubcommand: Start.self
    )

    /// `tocsin replay [start]`.
    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "start",
            abstract: "Start a replay, follow its progress, then print its report.",
            discussion: """
                Examples:
                  tocsin replay --from 2026-11-01T00:00:00Z --to 2026-11-02T00:00:00Z --rules ssh-bruteforce --dry-run
                  tocsin replay --from 1 --to 50000 --pattern '{"source": ["/aws/cloudtrail"]}' --dry-run --output json
                  tocsin replay --from 90112 --to 138321 --rules ssh-bruteforce --targets edge --deliver

                Progress is a bar on standard error when it is a terminal, plain lines otherwise
                (--no-progress for none). The exit status is 1 when the server refuses the replay or it fails.
                """
        )

        @OptionGroup var client: ClientOptions
        @Option(help: "The first event: a sequence number or an RFC 3339 ingest time.") var from: String
        @Option(help: "The last event: a sequence number (included) or an RFC 3339 ingest time (excluded).")
        var to: String
        @Option(help: "Only report on these rules (comma-separated names of pattern, detection or Sigma rules).")
        var rules: String?
        @Option(help: "Only report deliveries to these targets (comma-separated); with --deliver, where to deliver.")
        var targets: String?
        @Option(help: "Only replay events this EventBridge pattern (JSON) matches.") var pattern: String?
        @Option(help: "How many examples of matches, alerts and deliveries the report keeps, each.")
        var examples: Int = 10
        @Option(help: "Run the API's rules as they stood at this sequence number instead of the current ones.")
        var rulesAsOf: Int64?
        @Flag(help: "Send nothing: build a shadow report.") var dryRun = false
        @Flag(help: "Also deliver the matches and alerts to --targets, marked as replays.") var deliver = false
        @Flag(help: "Print no progress.") var noProgress = false
        @Option(help: "Output format: text or json (the replay's final status, one line).")
        var output: OutputFormat = .text

        func validate() throws {
            guard dryRun != deliver else {
                throw ValidationError(
                    "pass --dry-run for a shadow report, or --deliver (with --targets) to deliver to targets"
                )
            }
            if deliver, targets == nil {
                throw ValidationError("--deliver needs --targets: name the targets the replay delivers to")
            }
            if let pattern, (try? JSONParser().parse(Array(pattern.utf8))) == nil {
                throw ValidationError("--pattern must be a JSON event pattern such as '{\"source\": [\"/aws\"]}'")
            }
        }

        func run() async throws {
            let api = try client.makeClient()
            var members: [JSONObject.Member] = [
                .init(name: "from", value: Self.bound(from)),
                .init(name: "to", value: Self.bound(to)),
                .init(name: "dry_run", value: .bool(dryRun)),
                .init(name: "examples", value: .number(JSONNumber(Int64(examples)))),
            ]
            if let rules {
                members.append(.init(name: "rules", value: Self.names(rules)))
            }
            if let targets {
                members.append(.init(name: "targets", value: Self.names(targets)))
            }
            if let rulesAsOf {
                members.append(.init(name: "rules_as_of", value: .number(JSONNumber(rulesAsOf))))
            }
            if let pattern, let json = try? JSONParser().parse(Array(pattern.utf8)) {
                members.append(.init(name: "pattern", value: json))
            }
            let started = try await call {
                try await api.send(api.makeRequest("/v1/replays", method: .POST, json: .object(JSONObject(members))))
            }
            guard case .number(let number)? = started["id"], let id = number.int64Value else {
                printError("the server's answer has no replay id")
                throw ExitCode(1)
            }
            var progress = ReplayProgress(
                mode: noProgress ? .silent : (isatty(STDERR_FILENO) == 1 ? .bar : .lines)
            )
            var status = started
            while status["status"]?.stringValue == "running" {
                progress.show(status)
                try await Task.sleep(for: .milliseconds(200))
                status = try await call { try await api.send(api.makeRequest("/v1/replays/\(id)")) }
            }
            progress.finish(status)
            if output == .json {
                print(JSONWriter().string(status))
            } else {
                print(ReplaySummary.text(status))
            }
            if status["status"]?.stringValue != "completed" {
                throw ExitCode(1)
            }
        }

        static func bound(_ text: String) -> JSONValue {
            if let sequence = Int64(text) {
                return .number(JSONNumber(sequence))
            }
            return .string(text)
        }

        static func names(_ text: String) -> JSONValue {
            .array(
                text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.map(
                    JSONValue.string
                )
            )
        }
    }

    /// `tocsin replay status ID`.
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a replay's progress, and its report once completed."
        )

        @OptionGroup var client: ClientOptions
        @Argument(help: "The replay id.") var id: Int64
        @Option(help: "Output format: text or json.") var output: OutputFormat = .text

        func run() async throws {
            let api = try client.makeClient()
            let status = try await call { try await api.send(api.makeRequest("/v1/replays/\(id)")) }
            print(output == .json ? JSONWriter().string(status) : ReplaySummary.text(status))
        }
    }

    /// `tocsin replay list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the most recent replays, newest first.")

        @OptionGroup var client: ClientOptions
        @Option(help: "The most replays to print.") var limit: Int = 20
        @Option(help: "Output format: text or json (one replay per line).") var output: OutputFormat = .text

        func run() async throws {
            let api = try client.makeClient()
            let page = try await call { try await api.send(api.makeRequest("/v1/replays?limit=\(limit)")) }
            guard case .array(let replays)? = page["replays"] else {
                return
            }
            for replay in replays {
                print(output == .json ? JSONWriter().string(replay) : ReplaySummary.line(replay))
            }
        }
    }
}
