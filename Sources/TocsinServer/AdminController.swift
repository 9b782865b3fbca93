// SPDX-License-Identifier: Apache-2.0

import HTTPTypes
import Hummingbird
import NIOCore
import TocsinCore
import TocsinResponse

/// `PUT/GET/DELETE /v1/rules/{name}` and `/v1/targets/{name}`, plus listing.
struct AdminController: Sendable {
    let administration: any RoutingAdministration
    let configuration: ServerConfiguration

    func put(_ kind: DefinitionKind, _ request: Request, context: TocsinRequestContext) async throws -> Response {
        let name = try context.parameters.require("name")
        let body = try await RequestBody.collect(
            request,
            limit: configuration.maxBodyBytes
        )
        let definition: JSONValue
        do {
            definition = try body.withUnsafeReadableBytes {
                try JSONParser(limits: configuration.jsonLimits).parse(raw: $0)
            }
        } catch let error as JSONParseError {
            throw Problem.invalidJSON(error)
        }
        do {
            let (created, stored) = try await administration.put(
                kind,
                name: name,
                definition: definition,
                actor: context.caller.name
            )
            return JSONResponse.make(created ? .created : .ok, stored)
        } catch let error as AdministrationError {
            throw Self.problem(error, kind: kind)
        }
    }

    func get(_ kind: DefinitionKind, _ request: Request, context: some RequestContext) async throws -> Response {
        let name = try context.parameters.require("name")
        guard let stored = try await administration.get(kind, name: name) else {
            throw Self.notFound(kind, name: name)
        }
        return JSONResponse.make(.ok, stored)
    }

    func list(_ kind: DefinitionKind, _ request: Request, context: some RequestContext) async throws -> Response {
        let items = try await administration.list(kind)
        let members = items.map { JSONObject.Member(name: $0.name, value: $0.definition) }
        return JSONResponse.make(
            .ok,
            .object(JSONObject([.init(name: "\(kind.rawValue)s", value: .object(JSONObject(members)))]))
        )
    }

    func delete(_ kind: DefinitionKind, _ request: Request, context: TocsinRequestContext) async throws -> Response {
        let name = try context.parameters.require("name")
        do {
            guard try await administration.delete(kind, name: name, actor: context.caller.name) else {
                throw Self.notFound(kind, name: name)
            }
        } catch let error as AdministrationError {
            throw Self.problem(error, kind: kind)
        }
        return Response(status: .noContent)
    }

    static func problem(_ error: AdministrationError, kind: DefinitionKind) -> Problem {
        switch error {
        case .invalid(let problems):
            return Problem(
                .badRequest,
                code: "invalid-\(kind.rawValue)",
                title: "The \(kind.rawValue) definition is not valid",
                detail: problems.joined(separator: "\n"),
                extensions: [.init(name: "problems", value: .array(problems.map(JSONValue.string)))]
            )
        case .conflict(let detail):
            return Problem(
                .conflict,
                code: "conflict",
                title: "The change conflicts with the current configuration",
                detail: detail
            )
        case .hostConfiguration(let detail):
            return Problem(
                .forbidden,
                code: "host-configuration",
                title: "Programs and files are host configuration",
                detail: detail,
                extensions: [.init(name: "permission", value: .string("rules-directory"))]
            )
        }
    }

    static func notFound(_ kind: DefinitionKind, name: String) -> Problem {
        Problem(
            .notFound,
            code: "not-found",
            title: "No such \(kind.rawValue)",
            detail: "there is no \(kind.rawValue) with that name"
        )
    }
}
