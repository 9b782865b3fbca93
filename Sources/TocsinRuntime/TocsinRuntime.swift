// SPDX-License-Identifier: Apache-2.0

import AsyncHTTPClient
import Foundation
public import Logging
import NIOCore
import ServiceLifecycle
import TocsinActions
import TocsinConfig
import TocsinConsole
import TocsinCore
import TocsinMetrics
import TocsinResponse
import TocsinServer
import TocsinSources
import TocsinStore
import UnixSignals

/// The composition root: turns a ``RuntimeConfiguration`` into running services.
public enum TocsinRuntime: Sendable {
    /// Runs Tocsin until SIGTERM or SIGINT, then shuts down gracefully: the HTTP server stops
    /// accepting and answers in-flight requests, then the log writer commits what is pending.
    ///
    /// - Parameters:
    ///   - configuration: The validated settings.
    ///   - logger: Where every component logs.
    ///   - onListening: Called with the bound port once the server accepts connections.
    ///   - onSyslogListening: Called with `udp` or `tcp` and the bound port once a syslog listener runs.
    /// - Throws: When the data directory, its keys or the database cannot be opened, or a service fails.
    public static func serve(
        _ configuration: RuntimeConfiguration,
        logger: Logger,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in },
        onSyslogListening: @escaping @Sendable (String, Int) async -> Void = { _, _ in }
    ) async throws {
        try configuration.server.tls?.validate()
        let enricher = try GeoIPDatabases.enricher(paths: configuration.geoIPDatabases, logger: logger)
        let enrichment = try EnrichmentSetup(configuration)
        let wallClock = SystemWallClock()
        let metrics = configuration.metricsEnabled ? TocsinMetrics.prometheus() : TocsinMetrics.disabled()
        let store = try EventStore.open(configuration.store, logger: logger, clock: wallClock, metrics: metrics.log)
        let clock: @Sendable () -> Int64 = { wallClock.milliseconds }
        // With --backend nats the log and the identities live on the cluster (docs/scale-out.md).
        let cluster = try await ClusterNode.start(
            configuration.cluster,
            dataDirectory: configuration.store.dataDirectory,
            metrics: metrics.cluster,
            clock: clock,
            logger: logger
        )
        let subjectKeys = try SubjectKeyStore.open(dataDirectory: configuration.store.dataDirectory, logger: logger)
        // Enrichment sees the plaintext; personal fields (and what enrichment copied of them) are
        // sealed after it, just before the append.
        let history = try HistoryEventLog(
            store: store,
            archiveDirectory: configuration.archiveDirectory ?? configuration.archiving?.directory
                ?? configuration.store.dataDirectory + "/archives"
        )
        let primaryLog: any EventLog = cluster?.log ?? history
        let personalData = PersonalDataEventLog(
            base: primaryLog,
            fields: PersonalFields(policy: configuration.personalData),
            keys: subjectKeys,
            clock: clock
        )
        var checkedLog: any EventLog = personalData
        if let policy = configuration.compliancePolicy {
            // Detectors see the plaintext: the policy runs before personal fields are sealed.
            let hashKey = try KeyFiles.loadOrCreateComplianceKey(in: configuration.store.dataDirectory)
            checkedLog = ComplianceEventLog(base: personalData, policy: policy, hashKey: hashKey)
        }
        let ingestLog = enrichment.log(over: checkedLog)
        // Routing, detection and deliveries read the store directly; they see the plaintext of fields
        // sealed under the policy in force (an envelope whose key cannot be read stays sealed).
        var openEvent: @Sendable (LoggedEvent) -> LoggedEvent = { $0 }
        if !configuration.personalData.isEmpty {
            openEvent = personalData.openIfReadable
        }
        let keyPath = configuration.store.dataDirectory + "/" + KeyFiles.adminKeyName
        if cluster == nil,
            try store.identities.bootstrapAdminKey(dataDirectory: configuration.store.dataDirectory, now: clock())
        {
            logger.notice("Created the admin API key.", metadata: ["key.path": "\(keyPath)"])
        }
        let keys = KeyAdmin(
            store: store,
            ring: KeyRing(),
            dataDirectory: configuration.store.dataDirectory,
            clock: clock
        )
        try keys.reload()
        let auditor = DenialAuditor(log: cluster?.log ?? store, logger: logger, clock: clock, metrics: metrics.access)
        let access = AccessControl(
            keys: cluster?.ring ?? keys.ring,
            requiresAuthentication: configuration.server.requiresAuthentication,
            audit: auditor,
            tokens: try await tokenVerifier(configuration.jwt, logger: logger),
            limits: configuration.server.limits,
            clock: clock
        )
        if configuration.server.requiresAuthentication {
            logger.notice(
                "API requires a key; the admin key is in the data directory.",
                metadata: ["key.path": "\(keyPath)"]
            )
        } else {
            logger.warning(
                "AUTHENTICATION IS DISABLED (--insecure-no-auth): anyone who can reach this port can read and write events. Use only for local development."
            )
        }
        let routing = try await startRouting(
            store: store,
            keys: keys,
            configuration: configuration,
            clock: wallClock,
            logger: logger,
            metrics: metrics,
            openEvent: openEvent,
            cluster: cluster?.routing
        )
        let schemas = try await SchemaAdmin.load(store: store, clock: clock)
        let scrape = MetricsScrape(store: store, metrics: metrics, databasePath: configuration.store.databasePath)
        var services = TocsinHTTPServer.Services(
            log: ingestLog,
            access: access,
            administration: RoutingAdmin(
                store: store,
                state: routing.state,
                redactor: routing.redactor,
                blocklist: routing.blocklist,
                redriven: routing.redriven,
                cluster: cluster?.routing.administration
            ),
            keys: cluster?.keys ?? keys,
            enricher: enricher,
            incidents: IncidentAdmin(store: store, clock: clock),
            metrics: metrics,
            scrape: configuration.metricsEnabled ? scrape.render : nil
        )
        if let cluster {
            services.readiness = cluster.readiness
            if let render = services.scrape {
                services.scrape = { @Sendable in
                    await cluster.refreshMetrics()
                    return await render()
                }
            }
        }
        services.erasures = ErasureAdmin(keys: subjectKeys, store: store, clock: clock)
        ProjectionRebuilder.removeLeftovers(in: configuration.store.dataDirectory)
        let rebuilder = ProjectionRebuilder(
            store: store,
            scratchDirectory: configuration.store.dataDirectory,
            archiveDirectory: configuration.archiving?.directory
        )
        services.projections = ProjectionAdmin(store: store, rebuilder: rebuilder, clock: clock) {
            [state = routing.state] name in
            if name == "rules" || name == "targets" {
                try await state.serially { try await state.rebuild() }
            }
        }
        let replays = ReplayRunner(
            store: store,
            state: routing.state,
            clock: wallClock,
            logger: logger,
            directories: (
                archives: configuration.archiving?.directory ?? configuration.archiveDirectory
                    ?? configuration.store.dataDirectory + "/archives",
                data: configuration.store.dataDirectory
            ),
            wakeDeliveries: routing.redriven
        )
        services.replays = cluster == nil ? replays : nil
        services.schemas = schemas
        services.complianceScan = ComplianceHistoryScan(log: primaryLog)
        if configuration.consoleEnabled {
            services.addRoutes = try consoleRoutes(
                services,
                insights: StoreConsoleInsights(store: store, dataDirectory: configuration.store.dataDirectory),
                configuration: configuration,
                clock: clock
            )
        }
        let application = try TocsinHTTPServer.makeApplication(
            services,
            configuration: configuration.server,
            logger: logger,
            onServerRunning: onListening
        )
        let listeners = syslogListeners(
            configuration,
            ingest: SyslogIngest(
                log: ingestLog,
                logger: logger,
                enricher: enricher,
                clock: wallClock,
                metrics: metrics,
                schemas: schemas
            ),
            logger: logger,
            onListening: onSyslogListening
        )
        // Replays read the embedded store's log: on a cluster node, whose events are on the stream,
        // they do not run yet (the notice at start says so); routing, deliveries and detection do.
        let routingServices: [any Service] = cluster == nil ? routing.services + [replays] : routing.services
        let logServices: [any Service] =
            store.services + [auditor] + enrichment.services(log: store, logger: logger)
            + (try configuration.archiving.map { [try $0.timer(store: store, clock: wallClock, logger: logger)] } ?? [])
        // The identities watcher and the chainer of a cluster node.
        let clusterServices: [any Service] = cluster?.services ?? []
        // Start order: log writer and timer, then the incident projection and routing, then HTTP and syslog;
        // shutdown runs in reverse.
        var ordered: [any Service] = logServices + clusterServices
        ordered.append(IncidentProjection(store: store, logger: logger))
        ordered.append(ProjectionFollower(store: store, rebuilder: rebuilder, logger: logger))
        ordered += routingServices
        ordered.append(application)
        ordered += listeners
        let group = ServiceGroup(
            configuration: .init(
                services: ordered.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        do {
            try await group.run()
        } catch {
            await cluster?.close()
            await routing.webhooks.shutdown()
            try? await routing.client.shutdown()
            throw error
        }
        await cluster?.close()
        await routing.webhooks.shutdown()
        try await routing.client.shutdown()
    }

    /// The JWT verifier with its keys loaded.
    ///
    /// A JWKS file that cannot be used stops the start; an unreachable JWKS URL only warns (tokens are
    /// refused until a refresh succeeds), so an identity-provider outage cannot keep Tocsin from taking
    /// events.
    private static func tokenVerifier(
        _ settings: RuntimeConfiguration.JWTSettings?,
        logger: Logger
    ) async throws -> JWTVerifier? {
        guard let settings else {
            return nil
        }
        let source: any JWKSFetching =
            switch settings.keys {
            case .file(let path): JWKSFile(path: path)
            case .url(let url): JWKSEndpoint(url: url)
            }
        let verifier = try JWTVerifier(configuration: settings.configuration, keys: source, logger: logger)
        do {
            try await verifier.load()
        } catch {
            guard case .url = settings.keys else {
                throw error
            }
            logger.warning(
                "Could not load the JWKS; bearer tokens are refused until a refresh succeeds.",
                metadata: ["jwks.location": "\(source.location)", "error": "\(error)"]
            )
        }
        return verifier
    }

    private static func syslogListeners(
        _ configuration: RuntimeConfiguration,
        ingest: SyslogIngest,
        logger: Logger,
        onListening: @escaping @Sendable (String, Int) async -> Void
    ) -> [any Service] {
        var listeners: [any Service] = []
        let allowList = configuration.syslogAllowList
        for (transport, address) in [("udp", configuration.syslogUDP), ("tcp", configuration.syslogTCP)] {
            if let address, allowList.isLoopbackOnly, !isLoopback(address.host) {
                logger.warning(
                    "Syslog listens beyond loopback but only loopback senders are allowed; add --syslog-allow CIDR.",
                    metadata: ["syslog.transport": "\(transport)", "syslog.host": "\(address.host)"]
                )
            }
        }
        if let (host, port) = configuration.syslogUDP {
            listeners.append(
                SyslogUDPListener(
                    host: host,
                    port: port,
                    ingest: ingest,
                    gate: SyslogSenderGate(
                        allowList: allowList,
                        transport: "udp",
                        logger: logger,
                        metrics: ingest.metrics
                    ),
                    logger: logger
                ) {
                    await onListening("udp", $0)
                }
            )
        }
        if let (host, port) = configuration.syslogTCP {
            listeners.append(
                SyslogTCPListener(
                    host: host,
                    port: port,
                    ingest: ingest,
                    gate: SyslogSenderGate(
                        allowList: allowList,
                        transport: "tcp",
                        logger: logger,
                        metrics: ingest.metrics
                    ),
                    logger: logger,
                    maxConnections: configuration.syslogMaxConnections,
                    idleTimeout: configuration.syslogIdleTimeout
                ) {
                    await onListening("tcp", $0)
                }
            )
        }
        return listeners
    }

    /// Whether `host` names a loopback address (`127.x`, `::1`, `localhost`).
    private static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || IPAddress.parse(host).map { SyslogAllowList.loopback.allows($0) } == true
    }
}
