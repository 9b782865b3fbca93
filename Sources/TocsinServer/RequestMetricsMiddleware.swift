// SPDX-License-Identifier: Apache-2.0

import HTTPTypes
import Hummingbird
import TocsinMetrics

/// Counts every request by route template, method and status, and times it.
///
/// It runs outermost, so it sees the status the client gets (problems included) and the time the
/// whole chain took; a request no route matched is counted as ``HTTPMetrics/unmatchedRoute``.
struct RequestMetricsMiddleware: RouterMiddleware {
    typealias Context = TocsinRequestContext

    let metrics: HTTPMetrics

    @concurrent func handle(
        _ request: Request,
        context: Context,
        next: @concurrent (Request, Context) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        let route = metrics.route(method: Self.method(request.method), route: context.coreContext.endpointPath.value)
        do {
            let response = try await next(request, context)
            route.record(status: response.status.code, nanoseconds: Self.nanoseconds(since: start))
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            route.record(status: status, nanoseconds: Self.nanoseconds(since: start))
            throw error
        }
    }

    /// The method label: a standard method, or `other` (a client can send any token).
    static func method(_ method: HTTPRequest.Method) -> String {
        switch method {
        case .get, .head, .post, .put, .delete, .patch, .options: method.rawValue
        default: "other"
        }
    }

    private static func nanoseconds(since start: ContinuousClock.Instant) -> Int64 {
        let elapsed = start.duration(to: .now).components
        return elapsed.seconds * 1_000_000_000 + elapsed.attoseconds / 1_000_000_000
    }
}
