// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import Foundation
import NIOHTTP1
import TocsinCore

/// `tocsin schemas`: the versioned JSON Schemas of event types, through the server's API.
struct SchemasCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schemas",
        abstract: "List, show, register or suggest the JSON Schemas events of a type must match.",
        discussion: """
            Once a type has a schema, the server refuses any published event of that type whose data does not
            match the newest version (400, naming the keyword and the JSON path, never the value). See
            docs/schemas.md for the supported keywords and the compatibility modes.
            """,
        subcommands: [List.self, Get.self, Put.self, Suggest.self]
    )

    /// `/v1/schemas/{type}` with the type percent-encoded.
    static func path(_ type: String, _ suffix: String = "") -> String {
        let segment =
            type.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~")))
            ?? type
        return "/v1/schemas/\(segment)\(suffix)"
    }

    /// `tocsin schemas list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the registered event types with their newest version, mode and digest."
        )

        @OptionGroup var client: ClientOptions
        @Option(help: "Output format: text or json (one type per line).") var output: OutputFormat = .text

        func run() async throws {
            let api = try client.makeClient()
            let page = try await call { try await api.send(api.makeRequest("/v1/schemas")) }
            guard case .array(let items) = page["schemas"], !items.isEmpty else {
                if output == .text {
                    printError("no schemas are registered: events of every type are accepted as published.")
                }
                return
            }
            for item in items {
                if output == .json {
                    print(JSONWriter().string(item))
                    continue
                }
                let version = item["version"].map { JSONWriter().string($0) } ?? "?"
                print(
                    "\(item["type"]?.stringValue ?? "?")\tv\(version)\t\(item["compatibility"]?.stringValue ?? "?")\t"
                        + (item["digest"]?.stringValue ?? "?")
                )
            }
        }
    }

    /// `tocsin schemas get TYPE [--version N]`.
    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a type's schema (the newest version, or --version N) as JSON."
        )

        @OptionGroup var client: ClientOptions
        @Argument(help: "The event type.") var type: String
        @Option(help: "The version number (default: the newest).") var version: Int?
        @Option(help: "Output format: text (the schema only) or json (with version, mode and digest).")
        var output: OutputFormat = .text

        func run() async throws {
            let api = try client.makeClient()
            let query = version.map { "?version=\($0)" } ?? ""
            let found = try await call { try await api.send(api.makeRequest(SchemasCommand.path(type) + query)) }
            print(JSONWriter().string(output == .json ? found : (found["schema"] ?? .null)))
        }
    }

    /// `tocsin schemas put TYPE FILE`.
    struct Put: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register the next version of a type's schema from a JSON file ('-' for standard input).",
            discussion: """
                The server compiles the schema and checks it against the newest version in the compatibility
                mode given (else the type's current mode, else backward). A refusal prints the located problem or
                every breaking change and exits 1. Needs the routing:manage permission (an admin key).
                """
        )

        @OptionGroup var client: ClientOptions
        @Argument(help: "The event type.") var type: String
        @Argument(help: "The schema file, or '-' for standard input.") var file: String
        @Option(help: "Compatibility mode: backward, forward, full or none.") var compatibility: String?

        func run() async throws {
            let bytes: Data
            do {
                bytes =
                    file == "-"
                    ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: file))
            } catch {
                throw ValidationError("cannot read \(file): check the path and its permissions")
            }
            let document: JSONValue
            do {
                document = try JSONParser().parse(Array(bytes))
            } catch {
                throw ValidationError("\(file) is not JSON: \(error)")
            }
            let api = try client.makeClient()
            let query = compatibility.map { "?compatibility=\($0)" } ?? ""
            let registered = try await call {
                try await api.send(api.makeRequest(SchemasCommand.path(type) + query, method: .PUT, json: document))
            }
            let version = registered["version"].map { JSONWriter().string($0) } ?? "?"
            print("registered \(type) version \(version) (\(registered["digest"]?.stringValue ?? "?"))")
        }
    }

    /// `tocsin schemas suggest TYPE`.
    struct Suggest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a schema inferred from the type's most recent 1,000 stored events.",
            discussion: """
                The suggestion never contains a sample value. Review it, then register it with
                'tocsin schemas put TYPE FILE'.
                """
        )

        @OptionGroup var client: ClientOptions
        @Argument(help: "The event type.") var type: String

        func run() async throws {
            let api = try client.makeClient()
            let suggestion = try await call {
                try await api.send(api.makeRequest(SchemasCommand.path(type, "/suggestion")))
            }
            let samples = suggestion["samples"].map { JSONWriter().string($0) } ?? "0"
            printError("suggested from \(samples) event(s)")
            print(JSONWriter().string(suggestion["schema"] ?? .null))
        }
    }
}
