// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import Foundation
import NIOHTTP1
import TocsinCore

/// `tocsin keys`: identities, their roles and keys.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Create, list, rotate and revoke API identities (needs an admin key).",
        discussion: """
            Roles: publisher (publish events), reader (read events, deliveries, blocklist, incidents),
            responder (reader + redrive, purge, incident actions), feed (GET /v1/blocklist only),
            admin (everything). A new key is printed once; only its hash is stored.
            """,
        subcommands: [Create.self, List.self, Show.self, Revoke.self, Rotate.self]
    )

    /// `tocsin keys create NAME --role R`.
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an identity; prints its key once (not for certificate identities)."
        )

        @OptionGroup var client: ClientOptions
        @Argument(help: "The identity's name (a-z 0-9 . _ -).") var name: String
        @Option(name: .customLong("role"), help: "A role: \(Role.names); repeat for several.") var roles: [String] = []
        @Option(help: "An event pattern (JSON or @file) every published event must match.") var scope: String?
        @Option(help: "When the identity stops working (RFC 3339).") var expires: String?
        @Option(
            name: .customLong("certificate-cn"),
            help: "Authenticate by client certificate with this CN or DNS/URI SAN instead of a key."
        )
        var certificateName: String?

        func run() async throws {
            guard !roles.isEmpty else {
                throw ValidationError("give at least one --role (\(Role.names))")
            }
            var members: [JSONObject.Member] = [
                .init(name: "name", value: .string(name)),
                .init(name: "roles", value: .array(roles.map(JSONValue.string))),
            ]
            if let scope {
                members.append(.init(name: "scope", value: try readJSON(scope, option: "--scope")))
            }
            if let expires {
                members.append(.init(name: "expires_at", value: .string(expires)))
            }
            if let certificateName {
                members.append(.init(name: "certificate_cn", value: .string(certificateName)))
            }
            let api = try client.makeClient()
            let created = try await call {
                try await api.send(api.makeRequest("/v1/keys", method: .POST, json: .object(JSONObject(members))))
            }
            print(KeysCommand.describe(created))
            if let key = created["key"]?.stringValue {
                print("key: \(key)")
                printError("This key is shown once; store it now. Only its hash is kept.")
            }
        }
    }

    /// `tocsin keys list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List identities (never their keys).")

        @OptionGroup var client: ClientOptions
        @Option(help: "Output format: text or json (one identity per line).") var output: OutputFormat = .text

        func run() async throws {
            let api = try client.makeClient()
            let answer = try await call { try await api.send(api.makeRequest("/v1/keys")) }
            guard case .array(let identities)? = answer["keys"] else {
                return
            }
            for identity in identities {
                print(output == .json ? JSONWriter().string(identity) : KeysCommand.describe(identity))
            }
        }
    }

    /// `tocsin keys show NAME`.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one identity as JSON.")

        @OptionGroup var client: ClientOptions
        @Argument(help: "The identity's name.") var name: String

        func run() async throws {
            let api = try client.makeClient()
            print(
                JSONWriter().string(
                    try await call { try await api.send(api.makeRequest("/v1/keys/\(pathSegment(name))")) }
                )
            )
        }
    }

    /// `tocsin keys revoke NAME`.
    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an identity; its keys stop working at once.")

        @OptionGroup var client: ClientOptions
        @Argument(help: "The identity's name.") var name: String

        func run() async throws {
            let api = try client.makeClient()
            _ = try await call { try await api.send(api.makeRequest("/v1/keys/\(pathSegment(name))", method: .DELETE)) }
            print("revoked \(name)")
        }
    }

    /// `tocsin keys rotate NAME`.
    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Give an identity a new key; prints it once. Rotating 'admin' also rewrites admin.key."
        )

        @OptionGroup var client: ClientOptions
        @Argument(help: "The identity's name.") var name: String
        @Option(help: "Seconds the previous key keeps working (default 0: it stops at once).") var graceSeconds: Int64 =
            0

        func run() async throws {
            let api = try client.makeClient()
            let body = JSONValue.object(
                JSONObject([.init(name: "grace_seconds", value: .number(JSONNumber(graceSeconds)))])
            )
            let rotated = try await call {
                try await api.send(api.makeRequest("/v1/keys/\(pathSegment(name))/rotate", method: .POST, json: body))
            }
            if let key = rotated["key"]?.stringValue {
                print("key: \(key)")
                printError("This key is shown once; store it now.")
            }
        }
    }

    /// One line: name, roles, and what limits the identity.
    static func describe(_ identity: JSONValue) -> String {
        var parts = [identity["name"]?.stringValue ?? "?"]
        if case .array(let roles)? = identity["roles"] {
            parts.append("roles=" + roles.compactMap(\.stringValue).joined(separator: ","))
        }
        if let scope = identity["scope"] {
            parts.append("scope=" + JSONWriter().string(scope))
        }
        for (label, member) in [("expires", "expires_at"), ("cn", "certificate_cn"), ("revoked", "revoked_at")] {
            if let value = identity[member]?.stringValue {
                parts.append("\(label)=\(value)")
            }
        }
        return parts.joined(separator: "  ")
    }
}

/// `text` percent-encoded for one URL path segment.
private func pathSegment(_ text: String) -> String {
    text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._"))) ?? text
}

/// JSON from an option's value, or from a file when it starts with `@`.
private func readJSON(_ text: String, option: String) throws -> JSONValue {
    let source = text.hasPrefix("@") ? try String(contentsOfFile: String(text.dropFirst()), encoding: .utf8) : text
    do {
        return try JSONParser().parse(source)
    } catch {
        throw ValidationError("\(option) is not valid JSON: \(error)")
    }
}
