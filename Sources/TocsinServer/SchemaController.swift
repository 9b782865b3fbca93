// SPDX-License-Identifier: Apache-2.0

import Crypto
import HTTPTypes
import Hummingbird
import TocsinCore
public import TocsinSchema

/// `PUT /v1/schemas/{type}`, `GET /v1/schemas`, `GET /v1/schemas/{type}` and its `/suggestion`.
struct SchemaController: Sendable {
    /// How many recent events of a type a suggestion is inferred from, at most.
    static let suggestionSamples = 1000

    let administration: any SchemaAdministration
    let configuration: ServerConfiguration

    func put(_ request: Request, context: TocsinRequestContext) async throws -> Response {
        let type = try context.parameters.require("type")
        let compatibility = try Self.compatibility(request.uri.queryParameters["compatibility"].map(String.init))
        let body = try await RequestBody.collect(request, limit: configuration.maxBodyBytes)
        let document: JSONValue
        do {
            document = try body.withUnsafeReadableBytes {
                try JSONParser(limits: configuration.jsonLimits).parse(raw: $0)
            }
        } catch let error as JSONParseError {
            throw Problem.invalidJSON(error)
        }
        do {
            let version = try await administration.register(
                type: type,
                document: document,
                compatibility: compatibility,
                actor: context.caller.name
            )
            return JSONResponse.make(.created, Self.json(version))
        } catch let error as SchemaRegistrationError {
            throw Self.problem(error)
        }
    }

    func list(_ request: Request, context: some RequestContext) async throws -> Response {
        let registry = administration.registry
        let items = registry.types.compactMap { registry.latest(of: $0) }.map { version in
            JSONValue.object(
                JSONObject([
                    .init(name: "type", value: .string(version.type)),
                    .init(name: "version", value: .number(JSONNumber(Int64(version.version)))),
                    .init(name: "compatibility", value: .string(version.compatibility.rawValue)),
                    .init(name: "digest", value: .string(version.digest)),
                ])
            )
        }
        return JSONResponse.make(.ok, .object(JSONObject([.init(name: "schemas", value: .array(items))])))
    }

    func get(_ request: Request, context: some RequestContext) async throws -> Response {
        let type = try context.parameters.require("type")
        let registry = administration.registry
        let found: SchemaRegistry.Version?
        if let text = request.uri.queryParameters["version"] {
            guard let number = Int(String(text)), number > 0 else {
                throw Problem.invalidParameter("version", "must be a positive integer")
            }
            found = registry.version(number, of: type)
        } else {
            found = registry.latest(of: type)
        }
        guard let version = found else {
            throw Problem(
                .notFound,
                code: "schema-not-found",
                title: "No such schema",
                detail:
                    "no schema (or no such version) is registered for this event type; list them with GET /v1/schemas"
            )
        }
        return JSONResponse.make(.ok, Self.json(version))
    }

    func suggestion(_ request: Request, context: some RequestContext) async throws -> Response {
        let type = try context.parameters.require("type")
        let samples = try await administration.recentData(of: type, limit: Self.suggestionSamples)
        return JSONResponse.make(
            .ok,
            .object(
                JSONObject([
                    .init(name: "type", value: .string(type)),
                    .init(name: "samples", value: .number(JSONNumber(Int64(samples.count)))),
                    .init(name: "schema", value: SchemaSuggestion().suggest(from: samples)),
                ])
            )
        )
    }

    static func compatibility(_ text: String?) throws -> SchemaCompatibilityMode? {
        guard let text else {
            return nil
        }
        guard let mode = SchemaCompatibilityMode(rawValue: text) else {
            throw Problem.invalidParameter("compatibility", "must be one of backward, forward, full, none")
        }
        return mode
    }

    static func json(_ version: SchemaRegistry.Version) -> JSONValue {
        .object(
            JSONObject([
                .init(name: "type", value: .string(version.type)),
                .init(name: "version", value: .number(JSONNumber(Int64(version.version)))),
                .init(name: "compatibility", value: .string(version.compatibility.rawValue)),
                .init(name: "digest", value: .string(version.digest)),
                .init(name: "schema", value: version.document),
            ])
        )
    }

    static func problem(_ error: SchemaRegistrationError) -> Problem {
        switch error.code {
        case .invalidType, .invalidSchema:
            return Problem(
                .badRequest,
                code: error.code.rawValue,
                title: error.code == .invalidType ? "The event type is not valid" : "The schema is not acceptable",
                detail: error.message
            )
        case .incompatible:
            let changes = error.changes.map { change in
                JSONValue.object(
                    JSONObject([
                        .init(name: "direction", value: .string(change.direction.rawValue)),
                        .init(name: "location", value: .string(change.location)),
                        .init(name: "keyword", value: .string(change.keyword)),
                        .init(name: "message", value: .string(change.message)),
                    ])
                )
            }
            return Problem(
                .conflict,
                code: "incompatible-schema",
                title: "The schema breaks the type's compatibility mode",
                detail: error.message,
                extensions: [.init(name: "changes", value: .array(changes))]
            )
        }
    }
}

extension SchemaRegistry.Version {
    /// `sha256:` and the hex SHA-256 of the schema document as Tocsin writes it.
    public var digest: String {
        "sha256:" + Hex.encode(Array(SHA256.hash(data: JSONWriter().bytes(document))))
    }
}

extension Problem {
    /// `400` for an event whose data breaks its type's schema: the entry, type, version, and each violated
    /// keyword with its instance path, never a value.
    static func schemaViolation(_ rejection: SchemaRejection) -> Problem {
        let violations = rejection.violations.map { violation in
            JSONValue.object(
                JSONObject([
                    .init(name: "keyword", value: .string(violation.keyword)),
                    .init(name: "instance_path", value: .string(violation.instancePath)),
                    .init(name: "schema_location", value: .string(violation.schemaLocation)),
                    .init(name: "message", value: .string(violation.message)),
                ])
            )
        }
        return Problem(
            .badRequest,
            code: "schema-violation",
            title: "The event data does not match its type's schema",
            detail: rejection.detail + "; nothing was stored",
            extensions: [
                .init(name: "index", value: .number(JSONNumber(Int64(rejection.index)))),
                .init(name: "event_type", value: .string(rejection.type)),
                .init(name: "schema_version", value: .number(JSONNumber(Int64(rejection.version)))),
                .init(name: "violations", value: .array(violations)),
            ]
        )
    }
}
