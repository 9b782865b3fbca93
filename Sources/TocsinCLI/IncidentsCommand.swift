// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import NIOHTTP1
import TocsinCore

/// `tocsin incidents`: alerts grouped by key, and what people did about them.
struct IncidentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "incidents",
        abstract: "List, show, acknowledge, assign and close incidents.",
        discussion: """
            An incident groups the alerts of one key (the rule and its group values, or an explicit
            incident key). It goes open → acknowledged → closed; an alert for a closed incident's key
            opens a new one. Listing needs incidents:read (reader and up); acting needs incidents:act
            (responder, admin). Every action is a tocsin.incident.* event naming the key's identity.
            """,
        subcommands: [List.self, Show.self, Acknowledge.self, Assign.self, Close.self]
    )

    /// `tocsin incidents list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List incidents, most recently active first.")

        @OptionGroup var client: ClientOptions
        @Option(help: "Only these statuses (comma-separated: open, acknowledged, closed).") var status: String?
        @Option(help: "Only incidents opened by this rule.") var rule: String?
        @Option(help: "Only incidents assigned to this identity.") var assignee: String?
        @Option(help: "The most incidents to list (1 to 1000).") var limit: Int = 100
        @Option(help: "Output format: text or json (one incident per line).") var output: OutputFormat = .text

        func run() async throws {
            let api = try client.makeClient()
            let pairs: [(String, String?)] = [
                ("status", status), ("rule", rule), ("assignee", assignee), ("limit", String(limit)),
            ]
            let answer = try await call { try await api.send(api.makeRequest("/v1/incidents" + queryString(pairs))) }
            guard case .array(let incidents)? = answer["incidents"] else {
                return
            }
            for incident in incidents {
                print(output == .json ? JSONWriter().string(incident) : IncidentsCommand.line(incident))
            }
        }
    }

    /// `tocsin incidents show ID`.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one incident as JSON, with its latest alerts (ids and evidence) and its history."
        )

        @OptionGroup var client: ClientOptions
        @Argument(help: "The incident's number.") var id: Int64

        func run() async throws {
            let api = try client.makeClient()
            print(JSONWriter().string(try await call { try await api.send(api.makeRequest("/v1/incidents/\(id)")) }))
        }
    }

    /// `tocsin incidents ack ID`.
    struct Acknowledge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ack",
            abstract: "Acknowledge an open incident: someone is on it."
        )

        @OptionGroup var client: ClientOptions
        @Argument(help: "The incident's number.") var id: Int64
        @Option(help: "Why, in your words (kept in the incident's history and the log).") var note: String?

        func run() async throws {
            try await IncidentsCommand.act("acknowledge", id: id, members: [("note", note)], client: client)
        }
    }

    /// `tocsin incidents assign ID ASSIGNEE`.
    struct Assign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Give an incident that is not closed to someone.")

        @OptionGroup var client: ClientOptions
        @Argument(help: "The incident's number.") var id: Int64
        @Argument(help: "Who takes it (an identity or a person's name).") var assignee: String
        @Option(help: "Why, in your words (kept in the incident's history and the log).") var note: String?

        func run() async throws {
            try await IncidentsCommand.act(
                "assign",
                id: id,
                members: [("assignee", assignee), ("note", note)],
                client: client
            )
        }
    }

    /// `tocsin incidents close ID`.
    struct Close: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Close an incident; a new alert of its key opens a new incident."
        )

        @OptionGroup var client: ClientOptions
        @Argument(help: "The incident's number.") var id: Int64
        @Option(help: "How it was resolved (kept in the incident's history and the log).") var note: String?

        func run() async throws {
            try await IncidentsCommand.act("close", id: id, members: [("note", note)], client: client)
        }
    }

    /// POSTs an action and prints the updated incident's line.
    static func act(_ verb: String, id: Int64, members: [(String, String?)], client: ClientOptions) async throws {
        let api = try client.makeClient()
        let body = JSONValue.object(
            JSONObject(members.compactMap { name, value in value.map { .init(name: name, value: .string($0)) } })
        )
        let incident = try await call {
            try await api.send(api.makeRequest("/v1/incidents/\(id)/\(verb)", method: .POST, json: body))
        }
        print(line(incident))
    }

    /// `#id  status  level  rule  title  seen N times since FIRST (last LAST)  assignee`.
    static func line(_ incident: JSONValue) -> String {
        let count = incident["alert_count"].map { JSONWriter().string($0) } ?? "?"
        return [
            "#" + (incident["id"].map { JSONWriter().string($0) } ?? "?"),
            incident["status"]?.stringValue ?? "?",
            incident["level"]?.stringValue ?? "?",
            incident["rule"]?.stringValue ?? "?",
            incident["title"]?.stringValue ?? "",
            "seen \(count) times since \(incident["first_seen"]?.stringValue ?? "?") "
                + "(last \(incident["last_seen"]?.stringValue ?? "?"))",
            incident["assignee"]?.stringValue.map { "assigned to \($0)" } ?? "unassigned",
        ]
        .joined(separator: "  ")
    }
}
