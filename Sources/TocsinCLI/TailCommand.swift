// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import TocsinCore

/// `tocsin tail`: follow new events live over Server-Sent Events, resuming after disconnects.
struct TailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Follow events live as they are committed.",
        discussion: "Reconnects after a dropped connection and resumes after the last event it printed."
    )

    @OptionGroup var client: ClientOptions

    @Option(help: "Start after this sequence number (default: only new events).") var after: Int64?
    @Option(help: "Only events with this type.") var type: String?
    @Option(help: "Only events with this source.") var source: String?
    @Option(help: "Output format: text or json.") var output: OutputFormat = .text

    func run() async throws {
        let api = try client.makeClient()
        var lastID = after
        var connections = 0
        while !Task.isCancelled {
            do {
                try await follow(api, lastID: &lastID, connections: &connections)
            } catch let failure as APIClient.Failure {
                printError("\(failure)")
                throw ExitCode(1)
            } catch {
                guard connections > 0 else {
                    printError(APIClient.unreachable(api.server, error))
                    throw ExitCode(1)
                }
                printError("the stream from \(api.server) broke (\(ConnectionFailure(error).phrase)); reconnecting.")
            }
            try await Task.sleep(for: .seconds(2))
        }
    }

    private func follow(_ api: APIClient, lastID: inout Int64?, connections: inout Int) async throws {
        var request = api.makeRequest("/v1/stream" + queryString([("type", type), ("source", source)]))
        if let lastID {
            request.headers.add(name: "Last-Event-ID", value: String(lastID))
        }
        let response = try await HTTPClient.cli.execute(request, timeout: .hours(24 * 365))
        guard response.status == .ok else {
            throw APIClient.Failure(description: "server answered \(response.status.code) to the stream request")
        }
        if connections == 0 {
            let from = after.map { "events after sequence \($0)" } ?? "new events"
            printError("Waiting for \(from) from \(api.server) (Ctrl-C to stop).")
        }
        connections += 1
        var pending: [UInt8] = []
        for try await buffer in response.body {
            pending.append(contentsOf: buffer.readableBytesView)
            while let end = Self.eventEnd(in: pending) {
                let block = String(decoding: pending[..<end], as: UTF8.self)
                pending.removeFirst(end + 2)
                handle(block, lastID: &lastID)
            }
        }
    }

    private static func eventEnd(in bytes: [UInt8]) -> Int? {
        guard bytes.count >= 2 else { return nil }
        for index in 0..<(bytes.count - 1) where bytes[index] == 0x0A && bytes[index + 1] == 0x0A {
            return index
        }
        return nil
    }

    private func handle(_ block: String, lastID: inout Int64?) {
        var data: String?
        for line in block.split(separator: "\n") {
            if line.hasPrefix("id: ") {
                lastID = Int64(line.dropFirst(4))
            } else if line.hasPrefix("data: ") {
                data = String(line.dropFirst(6))
            }
        }
        guard let data else { return }
        if output == .json {
            printLine(data)
        } else if let value = try? JSONParser().parse(data) {
            printLine(summaryLine(value))
        }
    }
}

/// Writes a line to standard output unbuffered, so a reader of a pipe sees it at once.
func printLine(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// Writes a line to standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
