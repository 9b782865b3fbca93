// SPDX-License-Identifier: Apache-2.0

import HTTPTypes
import Hummingbird
import Logging
import TocsinCore

/// Requires `Authorization: Bearer <key>` with an active API key.
struct AuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let keys: any APIKeyVerifier

    @concurrent func handle(
        _ request: Request,
        context: Context,
        next: @concurrent (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
            keys.isValid(String(header.dropFirst(7)))
        else {
            context.logger.notice(
                "Request denied: missing or invalid API key.",
                metadata: ["http.path": "\(request.uri.path)"]
            )
            throw Problem.unauthorized
        }
        return try await next(request, context)
    }
}
