// SPDX-License-Identifier: Apache-2.0

import HTTPTypes
import Hummingbird
import Logging
import TocsinCore

/// Turns every error into a problem document, so no client ever sees a framework error page,
/// a stack trace or error text that might carry a payload value.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    @concurrent func handle(
        _ request: Request,
        context: Context,
        next: @concurrent (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as Problem {
            throw problem
        } catch let error as LogUnavailable {
            // A clustered log without a stream leader or a connection: a read, or /readyz.
            throw Problem(
                .serviceUnavailable,
                code: "log-unavailable",
                title: "The log cannot answer right now",
                detail: error.message,
                headers: [.retryAfter: String(error.retryAfterSeconds)]
            )
        } catch let error as HTTPError {
            throw Problem(
                error.status,
                code: error.status == .notFound ? "no-such-route" : "http-\(error.status.code)",
                title: error.status.reasonPhrase,
                detail: error.status == .notFound
                    ? "no such resource; the API lives under /v1" : error.status.reasonPhrase
            )
        } catch {
            context.logger.error("Request failed.", metadata: ["error.type": "\(type(of: error))"])
            throw Problem(
                .internalServerError,
                code: "internal",
                title: "Internal error",
                detail: "the server could not complete the request; it has been logged"
            )
        }
    }
}
