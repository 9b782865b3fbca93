// SPDX-License-Identifier: Apache-2.0

import HTTPTypes
import Hummingbird
import TocsinCore

/// Authenticates every `/v1` request and checks the permission its route names in ``APIRoutes``.
///
/// A route missing from the table is refused: the API fails closed.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = TocsinRequestContext

    let access: AccessControl
    let routes: APIRoutes

    @concurrent func handle(
        _ request: Request,
        context: Context,
        next: @concurrent (Request, Context) async throws -> Response
    ) async throws -> Response {
        let route = context.coreContext.endpointPath.value ?? request.uri.path
        guard let permission = routes.permission(request.method, route) else {
            throw Problem.unlistedRoute
        }
        var context = context
        context.principal = try await access.authorize(request, context: context, route: route, permission: permission)
        return try await next(request, context)
    }
}
