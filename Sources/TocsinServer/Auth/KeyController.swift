// SPDX-License-Identifier: Apache-2.0

import HTTPTypes
import Hummingbird
import NIOCore
import TocsinCore
import TocsinRules

/// `POST/GET /v1/keys`, `GET/DELETE /v1/keys/{name}`, `POST /v1/keys/{name}/rotate`.
struct KeyController: Sendable {
    let administration: any KeyAdministration
    let configuration: ServerConfiguration
    let clock: @Sendable () -> Int64

    static let createMembers: Set<String> = ["name", "roles", "scope", "expires_at", "certificate_cn"]

    func create(_ request: Request, context: TocsinRequestContext) async throws -> Response {
        let body = try await document(request)
        let identity = try Self.identity(from: body, now: clock())
        do {
            let key = try await administration.create(identity, actor: context.caller.name)
            var shown = identity.jsonValue
            if let key, case .object(var object) = shown {
                object.members.append(.init(name: "key", value: .string(key)))
                shown = .object(object)
            }
            return JSONResponse.make(.created, shown)
        } catch let error as KeyAdministrationError {
            throw Self.problem(error)
        }
    }

    func list(_ request: Request, context: TocsinRequestContext) async throws -> Response {
        let identities = try await administration.list()
        return JSONResponse.make(
            .ok,
            .object(JSONObject([.init(name: "keys", value: .array(identities.map(\.jsonValue)))]))
        )
    }

    func get(_ request: Request, context: TocsinRequestContext) async throws -> Response {
        let name = try context.parameters.require("name")
        guard let identity = try await administration.list().first(where: { $0.name == name }) else {
            throw Self.notFound
        }
        return JSONResponse.make(.ok, identity.jsonValue)
    }

    func revoke(_ request: Request, context: TocsinRequestContext) async throws -> Response {
        let name = try context.parameters.require("name")
        do {
            guard try await administration.revoke(name: name, actor: context.caller.name) else {
                throw Self.notFound
            }
        } catch let error as KeyAdministrationError {
            throw Self.problem(error)
        }
        return Response(status: .noContent)
    }

    func rotate(_ request: Request, context: TocsinRequestContext) async throws -> Response {
        let name = try context.parameters.require("name")
        var grace: Int64 = 0
        let body = try await RequestBody.collect(
            request,
            limit: configuration.maxBodyBytes
        )
        if body.readableBytes > 0 {
            let reader = try BodyFields(try parse(body), allowed: ["grace_seconds"], kind: .key)
            grace = try reader.integer("grace_seconds", in: 0...(30 * 86_400)) ?? 0
        }
        guard let key = try await administration.rotate(name: name, graceSeconds: grace, actor: context.caller.name),
            let identity = try await administration.list().first(where: { $0.name == name })
        else {
            throw Self.notFound
        }
        guard case .object(var object) = identity.jsonValue else {
            throw Self.notFound
        }
        object.members.append(.init(name: "key", value: .string(key)))
        return JSONResponse.make(.ok, .object(object))
    }

    /// Reads and validates a create request.
    static func identity(from body: JSONValue, now: Int64) throws -> Identity {
        let reader = try BodyFields(body, allowed: createMembers, kind: .key)
        guard let name = try reader.string("name"), Identity.isValidName(name) else {
            throw reader.invalid("name", "is required: 1 to 63 of a-z 0-9 . _ -, starting with a letter or digit")
        }
        guard case .array(let values)? = reader["roles"], !values.isEmpty else {
            throw reader.invalid("roles", "is required: a non-empty array of \(Role.names)")
        }
        var roles: Set<Role> = []
        for value in values {
            guard case .string(let text) = value, let role = Role(rawValue: text) else {
                throw reader.invalid("roles", "each role must be one of \(Role.names)")
            }
            roles.insert(role)
        }
        let scope = reader["scope"]
        if let scope {
            do {
                _ = try EventPattern(json: scope)
            } catch {
                throw reader.invalid("scope", "is not a valid event pattern: \(error)")
            }
        }
        var expires: Int64?
        if let text = try reader.string("expires_at") {
            guard let time = Timestamp(rfc3339: text) else {
                throw reader.invalid("expires_at", "must be an RFC 3339 timestamp such as 2027-06-30T00:00:00Z")
            }
            guard time.epochMilliseconds > now else {
                throw reader.invalid("expires_at", "must be in the future")
            }
            expires = time.epochMilliseconds
        }
        let certificate = try reader.string("certificate_cn")
        if let certificate, !Identity.isValidCertificateName(certificate) {
            throw reader.invalid("certificate_cn", "must be 1 to 253 printable ASCII characters without spaces")
        }
        return Identity(
            name: name,
            roles: roles,
            scope: scope,
            expiresAtMilliseconds: expires,
            certificateName: certificate,
            createdAtMilliseconds: now
        )
    }

    private func document(_ request: Request) async throws -> JSONValue {
        try parse(
            try await RequestBody.collect(
                request,
                limit: configuration.maxBodyBytes
            )
        )
    }

    private func parse(_ body: ByteBuffer) throws -> JSONValue {
        do {
            return try body.withUnsafeReadableBytes { try JSONParser(limits: configuration.jsonLimits).parse(raw: $0) }
        } catch let error as JSONParseError {
            throw Problem.invalidJSON(error)
        }
    }

    static let notFound = Problem(
        .notFound,
        code: "not-found",
        title: "No such key",
        detail: "there is no identity with that name"
    )

    static func problem(_ error: KeyAdministrationError) -> Problem {
        switch error {
        case .conflict(let detail):
            Problem(.conflict, code: "conflict", title: "The name is taken", detail: detail)
        case .refused(let detail):
            Problem(.conflict, code: "refused", title: "The change is not allowed", detail: detail)
        }
    }
}
