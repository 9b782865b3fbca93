// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import NIOHTTP1
import TocsinCore
import TocsinStore

/// `tocsin rebuild`: folds read models again from the log.
struct RebuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild",
        abstract: "Rebuild read models (projections) from the log, or check them against it.",
        discussion: """
            Every read model here (incidents and alerts, identities, the blocklist, the rules defined
            through the API, deliveries and the dead-letter queue) is a projection of
            the log: folding its events from sequence 1 gives the same rows. This command drops a read
            model, folds it again into a scratch copy beside the database and swaps the copy in in one
            transaction, so readers see the old rows until the new ones are complete.
            By default it works on the data directory (--data-dir) with the server stopped. With
            --online it asks a running server instead (POST /v1/projections/NAME/rebuild, needs the
            projections:rebuild permission, which admin has); the server keeps serving and the
            projection follows the live log afterwards.
            --check rebuilds into the scratch copy only and compares it with the live read model row
            by row over every column (the blocklist: the entries unexpired now); the exit status is 1
            when any differs. Nothing is changed.
            When the log's first ranges were archived (tocsin archive run), the archive files
            (--archives, default DATA_DIR/archives) are verified and folded first.
            Identity keys are credentials and stay out of the log; targets (whose secrets never go
            into the log) are not a projection yet. See docs/projections.md.
            """
    )

    @OptionGroup var client: ClientOptions

    @Option(
        help: ArgumentHelp(
            "Only this projection (\(ProjectionRebuilder.names.joined(separator: ", "))); default: all.",
            valueName: "name"
        )
    )
    var projection: String?

    @Flag(help: "Compare a fresh fold with the live read model instead of replacing it.")
    var check = false

    @Flag(help: "Ask the running server (--server) instead of opening the data directory.")
    var online = false

    @Option(help: "Output format: text or json (one object per projection and line).")
    var output: OutputFormat = .text

    @Option(
        help: ArgumentHelp(
            "The archive files of the log's first ranges (tocsin archive run); default: DATA_DIR/archives.",
            valueName: "dir"
        )
    )
    var archives: String?

    func validate() throws {
        if let projection, !ProjectionRebuilder.names.contains(projection) {
            throw ValidationError(
                "there is no projection named \(projection); choose one of: \(ProjectionRebuilder.names.joined(separator: ", "))"
            )
        }
    }

    func run() async throws {
        let names = projection.map { [$0] } ?? ProjectionRebuilder.names
        let results = try await online ? remote(names) : local(names)
        var allEqual = true
        for (name, result) in zip(names, results) {
            allEqual = allEqual && result["equal"] != .bool(false)
            print(output == .json ? JSONWriter().string(result) : Self.summary(name, result, isCheck: check))
        }
        if !allEqual {
            throw ExitCode(1)
        }
    }

    private func remote(_ names: [String]) async throws -> [JSONValue] {
        let api = try client.makeClient()
        var results: [JSONValue] = []
        for name in names {
            let request =
                check
                ? api.makeRequest("/v1/projections/\(name)/check")
                : api.makeRequest("/v1/projections/\(name)/rebuild", method: .POST)
            results.append(try await call { try await api.send(request) })
        }
        return results
    }

    private func local(_ names: [String]) async throws -> [JSONValue] {
        let directory = client.dataDirectory ?? Environment.value("TOCSIN_DATA_DIR") ?? "./tocsin-data"
        guard FileManager.default.fileExists(atPath: StoreConfiguration(dataDirectory: directory).databasePath) else {
            printError("error: \(directory) holds no Tocsin database; pass the server's --data-dir")
            throw ExitCode(2)
        }
        var logger = Logger(label: "tocsin")
        logger.logLevel = .warning
        let store: EventStore
        do {
            store = try EventStore.open(
                StoreConfiguration(dataDirectory: directory),
                logger: logger,
                clock: SystemWallClock()
            )
        } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }
        defer { store.close() }
        let rebuilder = ProjectionRebuilder(store: store, scratchDirectory: directory, archiveDirectory: archives)
        let now = SystemWallClock().milliseconds
        var results: [JSONValue] = []
        for name in names {
            do {
                if check {
                    results.append(try await rebuilder.compare(name, nowMilliseconds: now).json)
                    continue
                }
                let unlogged = try await rebuilder.unloggedRows(name, identifiers: store.identifiers)
                guard unlogged.isEmpty else {
                    printError(
                        "error: \(name) has rows the log does not describe yet (written by an older version); "
                            + "start `tocsin serve` once, which logs them, or rebuild with --online"
                    )
                    throw ExitCode(2)
                }
                results.append(try await rebuilder.rebuild(name).json)
            } catch let error as StoreError {
                printError("error: \(name): \(error)")
                throw ExitCode(2)
            }
        }
        return results
    }

    private static func summary(_ name: String, _ result: JSONValue, isCheck: Bool) -> String {
        let through = result["through"].map { JSONWriter().string($0) } ?? "?"
        guard isCheck else {
            let events = result["events"].map { JSONWriter().string($0) } ?? "?"
            var rows: [String] = []
            if case .object(let object)? = result["rows"] {
                rows = object.members.map { "\($0.name) \(JSONWriter().string($0.value))" }
            }
            return
                "\(name): rebuilt from \(events) events through sequence \(through) (rows: \(rows.joined(separator: ", ")))"
        }
        guard case .array(let tables)? = result["tables"] else {
            return "\(name): ?"
        }
        let lines = tables.map { table -> String in
            let field = { (key: String) in table[key].map { JSONWriter().string($0) } ?? "?" }
            guard table["equal"] == .bool(false) else {
                return "  \(table["table"]?.stringValue ?? "?"): equal, \(field("live_rows")) rows"
            }
            var keys: [String] = []
            if case .array(let values)? = table["differing_keys"] {
                keys = values.compactMap(\.stringValue)
            }
            return "  \(table["table"]?.stringValue ?? "?"): DIFFERENT: \(field("only_live")) rows only live, "
                + "\(field("only_rebuilt")) only rebuilt (first keys: \(keys.joined(separator: ", ")))"
        }
        let verdict = result["equal"] == .bool(false) ? "DIFFERS from the log" : "equals the log"
        return ([("\(name): \(verdict) through sequence \(through)")] + lines).joined(separator: "\n")
    }
}
