// SPDX-License-Identifier: Apache-2.0

import HTTPTypes
import Hummingbird
import TocsinCore

/// `GET /v1/projections`, `POST /v1/projections/{name}/rebuild` and `GET /v1/projections/{name}/check`.
struct ProjectionController: Sendable {
    let administration: any ProjectionAdministration

    /// Registers the routes; every one needs ``Permission/rebuildProjections``.
    func register(_ routes: RouteRegistrar) {
        routes.add(.get, "projections", .rebuildProjections, handler: list)
        routes.add(.post, "projections/:name/rebuild", .rebuildProjections, handler: rebuild)
        routes.add(.get, "projections/:name/check", .rebuildProjections, handler: check)
    }

    func list(_ request: Request, context: TocsinRequestContext) async throws -> Response {
        JSONResponse.make(
            .ok,
            .object(
                JSONObject([
                    .init(name: "projections", value: .array(administration.names.map { .string($0) }))
                ])
            )
        )
    }

    func rebuild(_ request: Request, context: TocsinRequestContext) async throws -> Response {
        let name = try known(context)
        return JSONResponse.make(.ok, try await administration.rebuild(name, actor: context.caller.name))
    }

    func check(_ request: Request, context: TocsinRequestContext) async throws -> Response {
        JSONResponse.make(.ok, try await administration.check(try known(context)))
    }

    private func known(_ context: TocsinRequestContext) throws -> String {
        let name = try context.parameters.require("name")
        guard administration.names.contains(name) else {
            throw Problem(
                .notFound,
                code: "not-found",
                title: "No such projection",
                detail: "choose one of: \(administration.names.joined(separator: ", ")) (GET /v1/projections)"
            )
        }
        return name
    }
}
