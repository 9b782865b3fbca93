// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import TocsinCore

/// `tocsin publish`: send one event from flags, or JSON lines from a file or stdin.
struct PublishCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Publish one event from flags, or CloudEvents as JSON lines from a file or stdin.",
        discussion: """
            With --type and --source, publishes one event (id defaults to a random UUID). With --file
            (use '-' for stdin), each line is one CloudEvent in the JSON format; lines are sent as
            batches of --batch-size. Prints the assigned sequence number of every event, in order.
            """
    )

    @OptionGroup var client: ClientOptions

    @Option(help: "Event type, e.g. ssh.login.failed.") var type: String?
    @Option(help: "Event source (a URI-reference), e.g. /ssh/bastion-1.") var source: String?
    @Option(help: "Event id (default: a random UUID).") var id: String?
    @Option(help: "Event subject.") var subject: String?
    @Option(help: "Event time, RFC 3339 (default: none).") var time: String?
    @Option(help: "JSON data, or @path to read it from a file.") var data: String?
    @Option(help: "Read JSON lines of CloudEvents from this file ('-' for stdin).") var file: String?
    @Option(help: "Events per request when reading JSON lines.") var batchSize = 500
    @Option(help: "Output format: text or json.") var output: OutputFormat = .text

    func validate() throws {
        if file == nil, type == nil || source == nil {
            throw ValidationError("give --type and --source for one event, or --file for JSON lines")
        }
        guard (1...10_000).contains(batchSize) else {
            throw ValidationError("--batch-size must be from 1 to 10000")
        }
    }

    func run() async throws {
        let api = try client.makeClient()
        let events = try file.map(readLines) ?? [try singleEvent()]
        var start = 0
        while start < events.count {
            let chunk = Array(events[start..<min(start + batchSize, events.count)])
            var request = api.makeRequest("/v1/events", method: .POST)
            request.headers.add(name: "Content-Type", value: "application/cloudevents-batch+json")
            request.body = .bytes(ByteBuffer(bytes: JSONWriter().bytes(.array(chunk))))
            let answer: JSONValue
            do {
                answer = try await api.send(request)
            } catch {
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                throw ExitCode(1)
            }
            guard case .array(let results) = answer["events"] else {
                throw ValidationError("unexpected answer from the server")
            }
            for result in results {
                if output == .json {
                    print(JSONWriter().string(result))
                } else {
                    let sequence = result["seq"].map { JSONWriter().string($0) } ?? "?"
                    print(result["duplicate"] == .bool(true) ? "\(sequence) (duplicate)" : sequence)
                }
            }
            start += batchSize
        }
    }

    private func singleEvent() throws -> JSONValue {
        var object = JSONObject([
            .init(name: "specversion", value: .string("1.0")),
            .init(name: "id", value: .string(id ?? UUID().uuidString.lowercased())),
            .init(name: "source", value: .string(source ?? "")),
            .init(name: "type", value: .string(type ?? "")),
        ])
        if let subject { object["subject"] = .string(subject) }
        if let time { object["time"] = .string(time) }
        if let data {
            let text =
                data.hasPrefix("@") ? try String(contentsOfFile: String(data.dropFirst()), encoding: .utf8) : data
            do {
                object["data"] = try JSONParser().parse(text)
            } catch {
                throw ValidationError("--data is not valid JSON: \(error)")
            }
            object["datacontenttype"] = .string("application/json")
        }
        return .object(object)
    }

    private func readLines(_ path: String) throws -> [JSONValue] {
        let contents: Data
        if path == "-" {
            contents = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            contents = try Data(contentsOf: URL(fileURLWithPath: path))
        }
        var events: [JSONValue] = []
        for (number, line) in contents.split(separator: UInt8(ascii: "\n")).enumerated() {
            let trimmed = line.filter { $0 != UInt8(ascii: "\r") }
            if trimmed.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            do {
                events.append(try JSONParser().parse(Array(trimmed)))
            } catch {
                throw ValidationError("line \(number + 1): \(error)")
            }
        }
        return events
    }
}
