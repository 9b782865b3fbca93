// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import TocsinCore

/// `tocsin dlq`: the dead-letter queue.
struct DLQCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlq",
        abstract: "List, redrive or purge dead-lettered deliveries.",
        subcommands: [List.self, Redrive.self, Purge.self]
    )

    /// Which dead letters a command applies to.
    struct Selection: ParsableArguments {
        @Option(help: "Only deliveries to this target.") var target: String?
        @Option(help: "Only deliveries for this rule.") var rule: String?
        @Option(
            help:
                "Only this failure kind (http-status, timeout, transport, exit-status, rejected) or reason (max-attempts, max-event-age, not-retryable)."
        )
        var error: String?
        @Option(help: "Only these delivery ids (comma-separated).") var ids: String?

        /// Redrive and purge act on everything only when asked to with `--all`.
        func requireChoice(all: Bool) throws {
            guard all || target != nil || rule != nil || error != nil || ids != nil else {
                throw ValidationError("say which dead letters: --all, --target, --rule, --error or --ids")
            }
        }

        /// Some option narrows the selection.
        var isNarrowed: Bool {
            target != nil || rule != nil || error != nil || ids != nil
        }

        var pairs: [(String, String?)] {
            [("target", target), ("rule", rule), ("error", error), ("ids", ids)]
        }
    }

    /// `tocsin dlq list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List dead letters with their error, attempts and times."
        )

        @OptionGroup var client: ClientOptions
        @OptionGroup var selection: Selection
        @Option(help: "Output format: text or json (one dead letter per line).") var output: OutputFormat = .text

        func run() async throws {
            let api = try client.makeClient()
            let page = try await call { try await api.send(api.makeRequest("/v1/dlq" + queryString(selection.pairs))) }
            guard case .array(let letters) = page["dead_letters"], !letters.isEmpty else {
                if output == .text {
                    printError(
                        "no dead letters\(selection.isNarrowed ? " match" : ""): every delivery succeeded or is still being tried."
                    )
                }
                return
            }
            for letter in letters {
                if output == .json {
                    print(JSONWriter().string(letter))
                    continue
                }
                let id = letter["id"].map { JSONWriter().string($0) } ?? "?"
                let event = letter["event"].map { JSONWriter().string($0) } ?? "?"
                let attempts = letter["attempts"].map { JSONWriter().string($0) } ?? "?"
                let error = letter["error"]?["message"]?.stringValue ?? "-"
                print(
                    "\(id)\tevent \(event)\t\(letter["rule"]?.stringValue ?? "?") → \(letter["target"]?.stringValue ?? "?")\t"
                        + "\(letter["reason"]?.stringValue ?? "?") after \(attempts) attempts\t\(error)\t"
                        + "last \(letter["last_attempt_at"]?.stringValue ?? "-")"
                )
            }
        }
    }

    /// `tocsin dlq redrive`.
    struct Redrive: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send dead letters again with a fresh retry budget.")

        @OptionGroup var client: ClientOptions
        @OptionGroup var selection: Selection
        @Flag(help: "Redrive every dead letter.") var all = false

        func validate() throws {
            try selection.requireChoice(all: all)
        }

        func run() async throws {
            let api = try client.makeClient()
            var request = api.makeRequest("/v1/dlq/redrive", method: .POST)
            var members: [JSONObject.Member] = selection.pairs.compactMap { name, value in
                value.map { JSONObject.Member(name: name, value: .string($0)) }
            }
            if all {
                members.append(.init(name: "all", value: .bool(true)))
            }
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: JSONWriter().bytes(.object(JSONObject(members)))))
            let answer = try await call { try await api.send(request) }
            let count = answer["redriven"].map { JSONWriter().string($0) } ?? "0"
            print("redriven: \(count)")
            guard case .array(let targets) = answer["targets"] else {
                return
            }
            for target in targets {
                let name = target["target"]?.stringValue ?? "?"
                let redriven = target["redriven"].map { JSONWriter().string($0) } ?? "?"
                if target["circuit"]?.stringValue == "open" {
                    printError(
                        "\(name): \(redriven) pending again, but its circuit is open, so they wait until its cool-down ends and a probe succeeds; `tocsin events --type tocsin.target.circuit.closed --subject \(name)` shows when it closes."
                    )
                } else {
                    printError("\(name): \(redriven) pending again; they go out now.")
                }
            }
        }
    }

    /// `tocsin dlq purge`.
    struct Purge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete dead letters (their events stay in the log).")

        @OptionGroup var client: ClientOptions
        @OptionGroup var selection: Selection
        @Flag(help: "Purge every dead letter.") var all = false

        func validate() throws {
            try selection.requireChoice(all: all)
        }

        func run() async throws {
            let api = try client.makeClient()
            let query = queryString(selection.pairs + [("all", all ? "true" : nil)])
            let answer = try await call { try await api.send(api.makeRequest("/v1/dlq" + query, method: .DELETE)) }
            print("purged: \(answer["purged"].map { JSONWriter().string($0) } ?? "0")")
        }
    }
}

/// Runs an API call, turning a failure into a message on standard error and exit status 1.
func call(_ body: () async throws -> JSONValue) async throws -> JSONValue {
    do {
        return try await body()
    } catch {
        printError("\(error)")
        throw ExitCode(1)
    }
}
