// SPDX-License-Identifier: Apache-2.0

import HTTPTypes
import Hummingbird
import NIOCore
import TocsinCore
import TocsinResponse

/// `GET /v1/alerts`, `GET /v1/alerts/{id}`, `GET /v1/incidents`, `GET /v1/incidents/{id}` and
/// `POST /v1/incidents/{id}/acknowledge|assign|close`.
struct IncidentController: Sendable {
    let administration: any IncidentAdministration
    let configuration: ServerConfiguration

    static let alertParameters: Set<String> = ["rule", "level", "since", "until", "incident", "limit", "after"]
    static let incidentParameters: Set<String> = ["status", "rule", "assignee", "limit"]

    func alerts(_ request: Request, context: some RequestContext) async throws -> Response {
        let parameters = try Self.parameters(request, allowed: Self.alertParameters)
        var filter = AlertFilter(rule: parameters["rule"], limit: try limit(parameters))
        filter.levels = try Self.set(
            parameters["level"],
            "level",
            names: Alert.Level.names,
            Alert.Level.init(rawValue:)
        )
        filter.since = try parameters["since"].map { try Self.timestamp($0, "since") }
        filter.until = try parameters["until"].map { try Self.timestamp($0, "until") }
        filter.incident = try parameters["incident"].map { try Self.incidentNumber($0, "incident") }
        if let after = parameters["after"] {
            guard let cursor = Int64(after), cursor >= 0 else {
                throw Problem.invalidParameter(
                    "after",
                    "must be a sequence number (0 or more): the previous page's next"
                )
            }
            filter.after = cursor
        }
        let page = try await administration.alerts(filter)
        return JSONResponse.make(
            .ok,
            .object(
                JSONObject([
                    .init(name: "alerts", value: .array(page.alerts.map(\.json))),
                    .init(name: "next", value: page.next.map { .number(JSONNumber($0)) } ?? .null),
                ])
            )
        )
    }

    func alert(_ request: Request, context: some RequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        guard let record = try await administration.alert(id: id) else {
            throw Problem(.notFound, code: "not-found", title: "No such alert", detail: "no alert has that id")
        }
        return JSONResponse.make(.ok, record.json)
    }

    func incidents(_ request: Request, context: some RequestContext) async throws -> Response {
        let parameters = try Self.parameters(request, allowed: Self.incidentParameters)
        let filter = IncidentFilter(
            statuses: try Self.set(
                parameters["status"],
                "status",
                names: Incident.Status.names,
                Incident.Status.init(rawValue:)
            ),
            rule: parameters["rule"],
            assignee: parameters["assignee"],
            limit: try limit(parameters)
        )
        let incidents = try await administration.incidents(filter)
        return JSONResponse.make(
            .ok,
            .object(JSONObject([.init(name: "incidents", value: .array(incidents.map(\.json)))]))
        )
    }

    func incident(_ request: Request, context: some RequestContext) async throws -> Response {
        let id = try Self.incidentNumber(try context.parameters.require("id"), "id")
        guard let detail = try await administration.incident(id: id) else {
            throw Self.noSuchIncident
        }
        return JSONResponse.make(.ok, detail.json)
    }

    /// `POST /v1/incidents/{id}/<verb>` with `{"note": …}` (and `"assignee"` to assign).
    func act(_ verb: IncidentAction.Verb, _ request: Request, context: TocsinRequestContext) async throws -> Response {
        let id = try Self.incidentNumber(try context.parameters.require("id"), "id")
        let body = try await RequestBody.collect(request, limit: configuration.maxBodyBytes)
        let document = try body.readableBytes == 0 ? JSONValue.object(JSONObject()) : parse(body)
        let fields = try BodyFields(
            document,
            allowed: verb == .assign ? ["assignee", "note"] : ["note"],
            kind: .incident
        )
        let note = try fields.string("note", maximumBytes: IncidentAction.maximumNoteBytes)
        var assignee: String?
        if verb == .assign {
            guard let name = try fields.string("assignee", maximumBytes: IncidentAction.maximumAssigneeBytes),
                !name.isEmpty
            else {
                throw fields.invalid("assignee", "is required: who to assign the incident to")
            }
            assignee = name
        }
        do {
            let detail = try await administration.act(
                verb,
                incident: id,
                actor: context.caller.name,
                assignee: assignee,
                note: note
            )
            return JSONResponse.make(.ok, detail.json)
        } catch IncidentActionError.refused(let refusal) {
            if refusal == .unknownIncident {
                throw Self.noSuchIncident
            }
            throw Problem(
                .conflict,
                code: "invalid-transition",
                title: "The incident's state does not allow this",
                detail: refusal.description,
                extensions: [.init(name: "reason", value: .string(refusal.rawValue))]
            )
        } catch IncidentActionError.notApplied {
            throw Problem(
                .serviceUnavailable,
                code: "projection-behind",
                title: "The action is recorded but not applied yet",
                detail: "the action is in the log; the incident read model has not applied it yet. "
                    + "Read the incident again in a moment instead of repeating the action",
                headers: [.retryAfter: "1"]
            )
        }
    }

    static let noSuchIncident = Problem(
        .notFound,
        code: "not-found",
        title: "No such incident",
        detail: "no incident has that number; list them with GET /v1/incidents"
    )

    private func limit(_ parameters: [String: String]) throws -> Int {
        guard let text = parameters["limit"] else {
            return 100
        }
        guard let size = Int(text), (1...configuration.maxPageSize).contains(size) else {
            throw Problem.invalidParameter("limit", "must be an integer from 1 to \(configuration.maxPageSize)")
        }
        return size
    }

    private func parse(_ body: ByteBuffer) throws -> JSONValue {
        do {
            return try body.withUnsafeReadableBytes { try JSONParser(limits: configuration.jsonLimits).parse(raw: $0) }
        } catch let error as JSONParseError {
            throw Problem.invalidJSON(error)
        }
    }

    /// The query parameters, refusing names not in `allowed` (a misspelt filter would return everything).
    private static func parameters(_ request: Request, allowed: Set<String>) throws -> [String: String] {
        var parameters: [String: String] = [:]
        for (key, value) in request.uri.queryParameters {
            let name = String(key)
            guard allowed.contains(name) else {
                throw Problem.invalidParameter(
                    name,
                    "is not a known parameter; the parameters are \(allowed.sorted().joined(separator: ", "))"
                )
            }
            parameters[name] = String(value)
        }
        return parameters
    }

    private static func set<T: Hashable>(
        _ text: String?,
        _ name: String,
        names: String,
        _ make: (String) -> T?
    ) throws -> Set<T> {
        guard let text else {
            return []
        }
        var values: Set<T> = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let value = make(String(part)) else {
                throw Problem.invalidParameter(name, "a comma-separated list of \(names)")
            }
            values.insert(value)
        }
        return values
    }

    private static func incidentNumber(_ text: String, _ name: String) throws -> Int64 {
        guard let number = Int64(text), number > 0 else {
            throw Problem.invalidParameter(name, "must be an incident number (a positive integer)")
        }
        return number
    }

    private static func timestamp(_ text: String, _ name: String) throws -> Int64 {
        guard let time = Timestamp(rfc3339: text) else {
            throw Problem.invalidParameter(name, "must be an RFC 3339 timestamp such as 2026-11-25T10:00:00Z")
        }
        return time.epochMilliseconds
    }
}
