// SPDX-License-Identifier: Apache-2.0

public import Hummingbird
public import Logging
import NIOCore
public import TocsinCore
public import TocsinSources

/// Builds the HTTP API: routes, authentication and problem rendering.
public enum TocsinHTTPServer: Sendable {
    /// The router with every route; `/healthz` and `/readyz` are open, `/v1` requires a key unless disabled.
    ///
    /// `enricher`, when given, adds to the OCSF view of every native record (GeoIP).
    public static func makeRouter(
        log: any EventLog,
        keys: any APIKeyVerifier,
        administration: (any RoutingAdministration)? = nil,
        configuration: ServerConfiguration,
        enricher: (any OCSFEnricher)? = nil
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
        let sources = SourceController(log: log, configuration: configuration, enricher: enricher)
        api.post("sources/:format") { request, context in try await sources.ingest(request, context: context) }
        api.get("sources/okta") { request, context in try await sources.verifyOkta(request, context: context) }
        let patterns = PatternController(configuration: configuration)
        api.post("patterns/test") { request, context in try await patterns.test(request, context: context) }
        if let administration {
            addRoutingRoutes(to: api, administration: administration, configuration: configuration)
        }
        return router
    }

    private static func addRoutingRoutes(
        to api: RouterGroup<BasicRequestContext>,
        administration: any RoutingAdministration,
        configuration: ServerConfiguration
    ) {
        let admin = AdminController(administration: administration, configuration: configuration)
        for kind in [DefinitionKind.rule, .target] {
            let path = "\(kind.rawValue)s"
            api.get(RouterPath(path)) { request, context in try await admin.list(kind, request, context: context) }
            api.put(RouterPath("\(path)/:name")) { request, context in
                try await admin.put(kind, request, context: context)
            }
            api.get(RouterPath("\(path)/:name")) { request, context in
                try await admin.get(kind, request, context: context)
            }
            api.delete(RouterPath("\(path)/:name")) { request, context in
                try await admin.delete(kind, request, context: context)
            }
        }
        let deliveries = DeliveryController(administration: administration, configuration: configuration)
        api.get("deliveries") { request, context in try await deliveries.deliveries(request, context: context) }
        api.get("dlq") { request, context in try await deliveries.list(request, context: context) }
        api.post("dlq/redrive") { request, context in try await deliveries.redrive(request, context: context) }
        api.delete("dlq") { request, context in try await deliveries.purge(request, context: context) }
        api.get("blocklist") { request, context in try await deliveries.blocklist(request, context: context) }
        api.get("incidents") { request, context in try await deliveries.incidents(request, context: context) }
    }

    /// The Hummingbird application serving the API (itself a `Service`).
    public static func makeApplication(
        log: any EventLog,
        keys: any APIKeyVerifier,
        administration: (any RoutingAdministration)? = nil,
        configuration: ServerConfiguration,
        enricher: (any OCSFEnricher)? = nil,
        logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: makeRouter(
                log: log,
                keys: keys,
                administration: administration,
                configuration: configuration,
                enricher: enricher
            ),
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port),
                serverName: "tocsin"
            ),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger
        )
    }
}
