// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import Foundation
import NIOHTTP1
import TocsinCore

/// `tocsin events`: query stored events.
struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Query stored events by source, type, subject and time, in sequence order."
    )

    @OptionGroup var client: ClientOptions

    @Option(help: "Only events with this source.") var source: String?
    @Option(help: "Only events with this type.") var type: String?
    @Option(help: "Only events with this subject.") var subject: String?
    @Option(help: "Only events whose time is at or after this RFC 3339 instant.") var from: String?
    @Option(help: "Only events whose time is before this RFC 3339 instant.") var to: String?
    @Option(help: "Start after this sequence number.") var after: Int64 = 0
    @Option(help: "Events per page (1-1000).") var limit = 100
    @Flag(help: "Follow the cursor through every page.") var all = false
    @Option(help: "Output format: text (one line per event) or json (one event per line).") var output: OutputFormat =
        .text

    func run() async throws {
        let api = try client.makeClient()
        var cursor = after
        var printed = 0
        while true {
            let query = queryString([
                ("after", String(cursor)), ("limit", String(limit)), ("source", source), ("type", type),
                ("subject", subject), ("from", from), ("to", to),
            ])
            let page: JSONValue
            do {
                page = try await api.send(api.makeRequest("/v1/events" + query))
            } catch {
                printError("\(error)")
                throw ExitCode(1)
            }
            if case .array(let events) = page["events"] {
                for event in events {
                    if output == .text && printed == 0 {
                        print(summaryHeader)
                    }
                    print(output == .json ? JSONWriter().string(event) : summaryLine(event))
                    printed += 1
                }
            }
            guard case .number(let next) = page["next"], let nextCursor = next.int64Value else {
                if printed == 0 && output == .text {
                    printError("no events match (after sequence \(after)); publish one with 'tocsin publish'.")
                }
                return
            }
            guard all else {
                printError("more events: --after \(nextCursor)")
                return
            }
            cursor = nextCursor
        }
    }
}
