// SPDX-License-Identifier: Apache-2.0

import HTTPTypes
import Hummingbird
import NIOCore
import TocsinCore

/// `POST /v1/replays`, `GET /v1/replays` and `GET /v1/replays/{id}`.
struct ReplayController: Sendable {
    let administration: any ReplayAdministration
    let configuration: ServerConfiguration

    /// Registers the routes: starting a replay, a shadow report or one that delivers to targets,
    /// needs `routing:manage` (an admin grant), reading replays `routing:read`.
    func register(on routes: RouteRegistrar) {
        routes.add(.post, "replays", .manageRouting, handler: start)
        routes.add(.get, "replays", .readRouting, handler: replays)
        routes.add(.get, "replays/:id", .readRouting, handler: replay)
    }

    func start(_ request: Request, context: TocsinRequestContext) async throws -> Response {
        let body = try await RequestBody.collect(request, limit: configuration.maxBodyBytes)
        let json: JSONValue
        do {
            json = try body.withUnsafeReadableBytes { try JSONParser(limits: configuration.jsonLimits).parse(raw: $0) }
        } catch let error as JSONParseError {
            throw Problem.invalidJSON(error)
        }
        let replay: ReplayRequest
        do {
            replay = try ReplayRequest(json: json)
        } catch {
            throw Self.invalid(error.violations.map { ($0.path, $0.message) })
        }
        let status: JSONValue
        do {
            status = try await administration.start(replay, actor: context.caller.name)
        } catch let error as AdministrationError {
            guard case .invalid(let messages) = error else {
                throw error
            }
            throw Self.invalid(messages.map { ("", $0) })
        } catch let error as ReplayArchiveUnavailable {
            throw Problem(
                .serviceUnavailable,
                code: "archive-unavailable",
                title: "An archive file the replay needs is missing or does not verify",
                detail: "\(error.file): \(error.message)",
                extensions: [.init(name: "archive", value: .string(error.file))]
            )
        }
        var response = JSONResponse.make(.accepted, status)
        if case .number(let id)? = status["id"] {
            response.headers[.location] = "/v1/replays/\(id.text)"
        }
        return response
    }

    func replay(_ request: Request, context: some RequestContext) async throws -> Response {
        let text = try context.parameters.require("id")
        guard let id = Int64(text), id >= 1 else {
            throw Problem.invalidParameter("id", "must be a replay id (1 or more)")
        }
        guard let status = try await administration.replay(id: id) else {
            throw Problem(.notFound, code: "not-found", title: "No such replay", detail: "no replay has that id")
        }
        return JSONResponse.make(.ok, status)
    }

    func replays(_ request: Request, context: some RequestContext) async throws -> Response {
        var limit = 100
        for (key, value) in request.uri.queryParameters {
            guard key == "limit" else {
                throw Problem.invalidParameter(String(key), "is not a known parameter; the parameter is limit")
            }
            guard let size = Int(String(value)), (1...configuration.maxPageSize).contains(size) else {
                throw Problem.invalidParameter("limit", "must be an integer from 1 to \(configuration.maxPageSize)")
            }
            limit = size
        }
        let replays = try await administration.replays(limit: limit)
        return JSONResponse.make(.ok, .object(JSONObject([.init(name: "replays", value: .array(replays))])))
    }

    /// The `invalid-replay` problem: every problem, each with its JSON pointer.
    static func invalid(_ problems: [(path: String, message: String)]) -> Problem {
        Problem(
            .badRequest,
            code: "invalid-replay",
            title: "The replay request is not valid",
            detail: problems.map { $0.path.isEmpty ? $0.message : "\($0.path): \($0.message)" }.joined(separator: "\n"),
            extensions: [
                .init(
                    name: "problems",
                    value: .array(
                        problems.map {
                            .object(
                                JSONObject([
                                    .init(name: "path", value: .string($0.path)),
                                    .init(name: "message", value: .string($0.message)),
                                ])
                            )
                        }
                    )
                )
            ]
        )
    }
}
