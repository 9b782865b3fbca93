// SPDX-License-Identifier: Apache-2.0

import HTTPTypes
import Hummingbird
import NIOCore
import TocsinCore
import TocsinResponse

/// Deliveries, the dead-letter queue, and the blocklist.
struct DeliveryController: Sendable {
    let administration: any RoutingAdministration
    let configuration: ServerConfiguration

    /// `GET /v1/deliveries?event=SEQ`: where one event went.
    func deliveries(_ request: Request, context: some RequestContext) async throws -> Response {
        guard let text = request.uri.queryParameters["event"].map(String.init), let sequence = Int64(text), sequence > 0
        else {
            throw Problem.invalidParameter("event", "give the event's sequence number, as in ?event=42")
        }
        let records = try await administration.deliveries(event: sequence)
        return JSONResponse.make(
            .ok,
            .object(JSONObject([.init(name: "deliveries", value: .array(records.map(\.json)))]))
        )
    }

    /// `GET /v1/dlq?target=&rule=&error=&limit=`.
    func list(_ request: Request, context: some RequestContext) async throws -> Response {
        let records = try await administration.deadLetters(
            try Self.filter(request.uri.queryParameters, requireSelector: false)
        )
        return JSONResponse.make(
            .ok,
            .object(JSONObject([.init(name: "dead_letters", value: .array(records.map(\.json)))]))
        )
    }

    /// `POST /v1/dlq/redrive` with `{"all": true}`, `{"target": …}`, `{"rule": …}` or `{"ids": […]}`.
    func redrive(_ request: Request, context: TocsinRequestContext) async throws -> Response {
        let body = try await RequestBody.collect(
            request,
            limit: configuration.maxBodyBytes
        )
        let document: JSONValue
        do {
            document = try body.withUnsafeReadableBytes {
                try JSONParser(limits: configuration.jsonLimits).parse(raw: $0)
            }
        } catch let error as JSONParseError {
            throw Problem.invalidJSON(error)
        }
        var parameters: [String: String] = [:]
        if case .object(let object) = document {
            for member in object.members {
                switch member.value {
                case .string(let text): parameters[member.name] = text
                case .bool(let flag): parameters[member.name] = flag ? "true" : "false"
                case .array(let items):
                    parameters[member.name] = items.map { JSONWriter().string($0) }.joined(separator: ",")
                default: throw Problem.invalidParameter(member.name, "must be a string, a boolean or a list of ids")
                }
            }
        }
        let result = try await administration.redrive(
            try Self.filter(parameters, requireSelector: true),
            actor: context.caller.name
        )
        let targets: [JSONValue] = result.redrivenByTarget.sorted { $0.key < $1.key }.map { target, count in
            .object(
                JSONObject([
                    .init(name: "target", value: .string(target)),
                    .init(name: "redriven", value: .number(JSONNumber(Int64(count)))),
                    .init(name: "circuit", value: .string(result.openCircuits.contains(target) ? "open" : "closed")),
                ])
            )
        }
        return JSONResponse.make(
            .ok,
            .object(
                JSONObject([
                    .init(name: "redriven", value: .number(JSONNumber(Int64(result.total)))),
                    .init(name: "targets", value: .array(targets)),
                ])
            )
        )
    }

    /// `DELETE /v1/dlq?all=true|target=|rule=|error=|ids=1,2`.
    func purge(_ request: Request, context: TocsinRequestContext) async throws -> Response {
        let count = try await administration.purge(
            try Self.filter(request.uri.queryParameters, requireSelector: true),
            actor: context.caller.name
        )
        return JSONResponse.make(
            .ok,
            .object(JSONObject([.init(name: "purged", value: .number(JSONNumber(Int64(count))))]))
        )
    }

    /// `GET /v1/blocklist`: plain text (one entry per line) unless JSON is asked for; the JSON form
    /// also says whether each nftables file on disk is in sync with the entries.
    func blocklist(_ request: Request, context: some RequestContext) async throws -> Response {
        let entries = try await administration.blocklist()
        let wantsJSON =
            request.uri.queryParameters["format"] == "json"
            || (request.headers[.accept] ?? "").contains("application/json")
        if wantsJSON {
            let files = try await administration.blocklistFiles()
            return JSONResponse.make(
                .ok,
                .object(
                    JSONObject([
                        .init(name: "entries", value: .array(entries.map(\.json))),
                        .init(name: "files", value: .array(files.map(\.json))),
                        .init(name: "in_sync", value: .bool(files.allSatisfy(\.isInSync))),
                    ])
                )
            )
        }
        let text = entries.map(\.entry).joined(separator: "\n") + (entries.isEmpty ? "" : "\n")
        return Response(
            status: .ok,
            headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: text))
        )
    }

    static func filter(
        _ parameters: some Sequence<(key: Substring, value: Substring)>,
        requireSelector: Bool
    ) throws -> DeliveryFilter {
        var dictionary: [String: String] = [:]
        for (key, value) in parameters {
            dictionary[String(key)] = String(value)
        }
        return try filter(dictionary, requireSelector: requireSelector)
    }

    static func filter(_ parameters: [String: String], requireSelector: Bool) throws -> DeliveryFilter {
        var filter = DeliveryFilter(target: parameters["target"], rule: parameters["rule"], error: parameters["error"])
        if let ids = parameters["ids"] {
            let parsed = ids.split(separator: ",").map { Int64($0.filter { $0 != " " }) }
            guard !parsed.contains(nil), !parsed.isEmpty else {
                throw Problem.invalidParameter("ids", "a comma-separated list of delivery ids")
            }
            filter.ids = parsed.compactMap { $0 }
        }
        if let limit = parameters["limit"] {
            guard let value = Int(limit), (1...10_000).contains(value) else {
                throw Problem.invalidParameter("limit", "an integer from 1 to 10000")
            }
            filter.limit = value
        }
        let all = parameters["all"] == "true"
        if requireSelector && !all && filter.ids == nil && filter.target == nil && filter.rule == nil
            && filter.error == nil
        {
            throw Problem.invalidParameter("all", "say which dead letters: all=true, target, rule, error or ids")
        }
        return filter
    }
}
