// SPDX-License-Identifier: Apache-2.0

public import Hummingbird
public import Logging
import NIOCore
public import TocsinCore

/// Builds the HTTP API: routes, authentication and problem rendering.
public enum TocsinHTTPServer: Sendable {
    /// The router with every route; `/healthz` and `/readyz` are open, `/v1` requires a key unless disabled.
    public static func makeRouter(
        log: any EventLog,
        keys: any APIKeyVerifier,
        configuration: ServerConfiguration
    ) -> Router<BasicRequestContext> {
        let router = Router()
        router.middlewares.add(ProblemMiddleware())
        router.get("/healthz") { _, _ in
            JSONResponse.make(.ok, .object(JSONObject([.init(name: "status", value: .string("ok"))])))
        }
        router.get("/readyz") { _, _ in
            _ = try await log.lastSequence()
            return JSONResponse.make(.ok, .object(JSONObject([.init(name: "status", value: .string("ready"))])))
        }
        let api = router.group("v1")
        if configuration.requiresAuthentication {
            api.add(middleware: AuthMiddleware(keys: keys))
        }
        let ingest = IngestController(log: log, configuration: configuration)
        let queries = QueryController(log: log, configuration: configuration)
        api.post("events") { request, context in try await ingest.ingest(request, context: context) }
        api.get("events") { request, context in try await queries.list(request, context: context) }
        api.get("events/:seq") { request, context in try await queries.get(request, context: context) }
        api.get("stream") { request, context in try await queries.stream(request, context: context) }
        let patterns = PatternController(configuration: configuration)
        api.post("patterns/test") { request, context in try await patterns.test(request, context: context) }
        return router
    }

    /// The Hummingbird application serving the API (itself a `Service`).
    public static func makeApplication(
        log: any EventLog,
        keys: any APIKeyVerifier,
        configuration: ServerConfiguration,
        logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: makeRouter(log: log, keys: keys, configuration: configuration),
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port),
                serverName: "tocsin"
            ),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger
        )
    }
}
