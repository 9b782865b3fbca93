// SPDX-License-Identifier: Apache-2.0

public import Hummingbird
import HummingbirdCore
import HummingbirdTLS
public import Logging
import NIOCore
public import TocsinCore
public import TocsinMetrics
import TocsinResponse
public import TocsinSources

/// Builds the HTTP API: routes, authentication and problem rendering.
public enum TocsinHTTPServer: Sendable {
    /// The router and the permission table of its `/v1` routes.
    public struct API {
        /// Every route; `/healthz`, `/readyz` and `/openapi.json` are open, every `/v1` route names a permission.
        public let router: Router<TocsinRequestContext>
        /// The permission each `/v1` route needs.
        public let routes: APIRoutes
    }

    /// The parts of Tocsin the API serves.
    public struct Services: Sendable {
        /// The event log.
        public var log: any EventLog
        /// Authentication, authorisation, rate limits and the audit of denials.
        public var access: AccessControl
        /// Rules, targets, deliveries and the blocklist; `nil` leaves those routes out.
        public var administration: (any RoutingAdministration)?
        /// Identities and keys; `nil` leaves the keys routes out.
        public var keys: (any KeyAdministration)?
        /// Adds to the OCSF view of every native record (GeoIP), when given.
        public var enricher: (any OCSFEnricher)?
        /// Alerts and incidents; `nil` leaves those routes out.
        public var incidents: (any IncidentAdministration)?
        /// Crypto-shredding of data subjects (`POST /v1/erasures`); `nil` leaves the route out.
        public var erasures: (any ErasureAdministration)?
        /// Replays of the log through the rules; `nil` leaves those routes out.
        public var replays: (any ReplayAdministration)?
        /// Event schemas, checked on publish; `nil` leaves the schema routes out and checks nothing.
        public var schemas: (any SchemaAdministration)?
        /// Adds routes outside `/v1` (the web console) to the application's router; `nil` adds none.
        public var addRoutes: (@Sendable (Router<TocsinRequestContext>) -> Void)?
        /// The metrics handles the API moves; ``TocsinMetrics/disabled()`` records nothing.
        public var metrics: TocsinMetrics
        /// The body of `GET /metrics` (gauges read at scrape time refreshed first); `nil` leaves the
        /// route out.
        public var scrape: (@Sendable () async -> [UInt8])?
        /// Rebuilding and checking read models; `nil` leaves those routes out.
        public var projections: (any ProjectionAdministration)?
        /// What `/readyz` checks: throws ``LogUnavailable`` (answered `503` with its message) when the
        /// node is not ready; `nil` checks that the log answers its last sequence.
        public var readiness: (@Sendable () async throws -> Void)?
        /// The compliance detectors over the stored log (`GET /v1/compliance/scan`); `nil` leaves the
        /// route out.
        public var complianceScan: (any ComplianceScanning)?

        /// Creates the set of services.
        public init(
            log: any EventLog,
            access: AccessControl,
            administration: (any RoutingAdministration)? = nil,
            keys: (any KeyAdministration)? = nil,
            enricher: (any OCSFEnricher)? = nil,
            incidents: (any IncidentAdministration)? = nil,
            metrics: TocsinMetrics = .disabled(),
            scrape: (@Sendable () async -> [UInt8])? = nil
        ) {
            self.log = log
            self.access = access
            self.administration = administration
            self.keys = keys
            self.enricher = enricher
            self.incidents = incidents
            self.metrics = metrics
            self.scrape = scrape
        }
    }

    /// Builds the router with every route.
    public static func makeAPI(_ services: Services, configuration: ServerConfiguration) -> API {
        let router = Router(context: TocsinRequestContext.self)
        // Outermost, and before any route is added (a router's middlewares wrap the routes added after them).
        if services.metrics.isEnabled {
            router.middlewares.add(RequestMetricsMiddleware(metrics: services.metrics.http))
        }
        router.middlewares.add(ProblemMiddleware())
        let log = services.log
        let readiness = services.readiness ?? { _ = try await log.lastSequence() }
        router.get("/healthz") { _, _ in
            JSONResponse.make(.ok, .object(JSONObject([.init(name: "status", value: .string("ok"))])))
        }
        router.get("/readyz") { _, _ in
            try await readiness()
            return JSONResponse.make(.ok, .object(JSONObject([.init(name: "status", value: .string("ready"))])))
        }
        router.get("/openapi.json") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.json))
            )
        }
        let table = APIRoutes()
        if let scrape = services.scrape {
            addMetricsRoute(
                to: router,
                table: table,
                access: services.access,
                scrape: scrape,
                configuration: configuration
            )
        }
        let group = router.group("v1")
        group.add(middleware: AuthenticationMiddleware(access: services.access, routes: table))
        let routes = RouteRegistrar(group: group, prefix: "/v1", routes: table)
        addEventRoutes(to: routes, services: services, configuration: configuration)
        if let administration = services.administration {
            addRoutingRoutes(to: routes, administration: administration, configuration: configuration)
        }
        if let keys = services.keys {
            let controller = KeyController(administration: keys, configuration: configuration) { services.access.now }
            routes.add(.post, "keys", .manageKeys, handler: controller.create)
            routes.add(.get, "keys", .manageKeys, handler: controller.list)
            routes.add(.get, "keys/:name", .manageKeys, handler: controller.get)
            routes.add(.delete, "keys/:name", .manageKeys, handler: controller.revoke)
            routes.add(.post, "keys/:name/rotate", .manageKeys, handler: controller.rotate)
        }
        if let schemas = services.schemas {
            let controller = SchemaController(administration: schemas, configuration: configuration)
            routes.add(.get, "schemas", .readEvents, handler: controller.list)
            routes.add(.put, "schemas/:type", .manageRouting, handler: controller.put)
            routes.add(.get, "schemas/:type", .readEvents, handler: controller.get)
            routes.add(.get, "schemas/:type/suggestion", .readEvents, handler: controller.suggestion)
        }
        if let incidents = services.incidents {
            addIncidentRoutes(to: routes, administration: incidents, configuration: configuration)
        }
        if let erasures = services.erasures {
            let controller = ErasureController(administration: erasures, configuration: configuration)
            routes.add(.post, "erasures", .manageKeys, handler: controller.erase)
        }
        if let projections = services.projections {
            ProjectionController(administration: projections).register(routes)
        }
        if let replays = services.replays {
            ReplayController(administration: replays, configuration: configuration).register(on: routes)
        }
        if let scanning = services.complianceScan {
            ComplianceScanController(scanning: scanning).register(on: routes)
        }
        return API(router: router, routes: table)
    }

    private static func addEventRoutes(
        to routes: RouteRegistrar,
        services: Services,
        configuration: ServerConfiguration
    ) {
        let ingest = IngestController(
            log: services.log,
            configuration: configuration,
            access: services.access,
            metrics: services.metrics.ingest,
            schemas: services.schemas
        )
        let queries = QueryController(
            log: services.log,
            configuration: configuration,
            streams: StreamSlots(maximumPerIdentity: configuration.maxStreamsPerIdentity)
        )
        routes.add(.post, "events", .publish, handler: ingest.ingest)
        routes.add(.get, "events", .readEvents, handler: queries.list)
        routes.add(.get, "events/:seq", .readEvents, handler: queries.get)
        routes.add(.get, "stream", .readEvents, handler: queries.stream)
        let sources = SourceController(
            log: services.log,
            configuration: configuration,
            access: services.access,
            enricher: services.enricher,
            metrics: services.metrics.ingest,
            schemas: services.schemas
        )
        routes.add(.post, "sources/:format", .publish, handler: sources.ingest)
        routes.add(.get, "sources/:format", .publish, handler: sources.verifyOkta)
        let patterns = PatternController(configuration: configuration)
        routes.add(.post, "patterns/test", .testPatterns, handler: patterns.test)
    }

    /// `GET /metrics`: open like `/healthz` by default; with
    /// ``ServerConfiguration/metricsRequiresAuthentication`` it is registered in the permission table
    /// behind the same authentication middleware as `/v1`, needing ``Permission/readMetrics``.
    private static func addMetricsRoute(
        to router: Router<TocsinRequestContext>,
        table: APIRoutes,
        access: AccessControl,
        scrape: @escaping @Sendable () async -> [UInt8],
        configuration: ServerConfiguration
    ) {
        let handler: @Sendable (Request, TocsinRequestContext) async throws -> Response = { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: await scrape()))
            )
        }
        guard configuration.metricsRequiresAuthentication else {
            router.get("/metrics", use: handler)
            return
        }
        let group = router.group()
        group.add(middleware: AuthenticationMiddleware(access: access, routes: table))
        RouteRegistrar(group: group, prefix: "", routes: table).add(.get, "metrics", .readMetrics, handler: handler)
    }

    private static func addRoutingRoutes(
        to routes: RouteRegistrar,
        administration: any RoutingAdministration,
        configuration: ServerConfiguration
    ) {
        let admin = AdminController(administration: administration, configuration: configuration)
        for kind in [DefinitionKind.rule, .target] {
            let path = "\(kind.rawValue)s"
            routes.add(.get, path, .readRouting) { request, context in
                try await admin.list(kind, request, context: context)
            }
            routes.add(.put, "\(path)/:name", .manageRouting) { request, context in
                try await admin.put(kind, request, context: context)
            }
            routes.add(.get, "\(path)/:name", .readRouting) { request, context in
                try await admin.get(kind, request, context: context)
            }
            routes.add(.delete, "\(path)/:name", .manageRouting) { request, context in
                try await admin.delete(kind, request, context: context)
            }
        }
        let deliveries = DeliveryController(administration: administration, configuration: configuration)
        routes.add(.get, "deliveries", .readDeliveries, handler: deliveries.deliveries)
        routes.add(.get, "dlq", .readDeliveries, handler: deliveries.list)
        routes.add(.post, "dlq/redrive", .redriveDeliveries, handler: deliveries.redrive)
        routes.add(.delete, "dlq", .redriveDeliveries, handler: deliveries.purge)
        routes.add(.get, "blocklist", .readBlocklist, handler: deliveries.blocklist)
    }

    private static func addIncidentRoutes(
        to routes: RouteRegistrar,
        administration: any IncidentAdministration,
        configuration: ServerConfiguration
    ) {
        let controller = IncidentController(administration: administration, configuration: configuration)
        routes.add(.get, "alerts", .readIncidents, handler: controller.alerts)
        routes.add(.get, "alerts/:id", .readIncidents, handler: controller.alert)
        routes.add(.get, "incidents", .readIncidents, handler: controller.incidents)
        routes.add(.get, "incidents/:id", .readIncidents, handler: controller.incident)
        for verb in IncidentAction.Verb.allCases {
            routes.add(.post, "incidents/:id/\(verb.rawValue)", .actOnIncidents) { request, context in
                try await controller.act(verb, request, context: context)
            }
        }
    }

    /// The Hummingbird application serving the API (itself a `Service`), with the connection
    /// cap and idle timeout of `configuration`, over HTTPS when ``ServerConfiguration/tls`` is set.
    ///
    /// - Throws: ``ServerSetupError`` when a TLS file cannot be used.
    public static func makeApplication(
        _ services: Services,
        configuration: ServerConfiguration,
        logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        let bodyTimeout = Self.timeAmount(configuration.bodyTimeout)
        let http1 = HTTP1Channel.Configuration(
            additionalChannelHandlers: [BodyDeadlineHandler(timeout: bodyTimeout)],
            idleTimeout: Self.timeAmount(configuration.idleTimeout)
        )
        let router = makeAPI(services, configuration: configuration).router
        services.addRoutes?(router)
        return Application(
            router: router,
            server: try serverBuilder(http1, tls: configuration.tls),
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port),
                serverName: "tocsin",
                availableConnectionsDelegate: MaximumAvailableConnections(configuration.maxConnections)
            ),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger
        )
    }

    /// Plain HTTP/1; HTTPS; or HTTPS requiring client certificates, whose names each request's
    /// context then carries.
    private static func timeAmount(_ duration: Duration) -> TimeAmount {
        let parts = duration.components
        return .nanoseconds(parts.seconds * 1_000_000_000 + parts.attoseconds / 1_000_000_000)
    }

    private static func serverBuilder(
        _ http1: HTTP1Channel.Configuration,
        tls: TLSSettings?
    ) throws -> HTTPServerBuilder {
        guard let tls else {
            return .http1(configuration: http1)
        }
        let configuration = try tls.makeConfiguration()
        guard tls.requiresClientCertificates else {
            return try .tls(.http1(configuration: http1), tlsConfiguration: configuration)
        }
        return HTTPServerBuilder { responder in
            try TLSChannel(
                PeerCertificateChannel(base: HTTP1Channel(responder: responder, configuration: http1)),
                tlsConfiguration: configuration
            )
        }
    }
}

/// The router is built once and handed to the application; it is not shared across tasks.
@available(*, unavailable)
extension TocsinHTTPServer.API: Sendable {}
