// SPDX-License-Identifier: Apache-2.0

import AsyncHTTPClient
import Foundation
import Logging
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

/// The composition root's routing part: the router, the delivery loop and what they share.
extension TocsinRuntime {
    /// The routing state loaded from the store and the rules directory, and the services that
    /// route and deliver.
    static func startRouting(
        store: EventStore,
        keys: KeyAdmin,
        configuration: RuntimeConfiguration,
        clock: SystemWallClock,
        logger: Logger,
        metrics: TocsinMetrics,
        openEvent: @escaping @Sendable (LoggedEvent) -> LoggedEvent,
        cluster: ClusterRouting?
    ) async throws -> (
        state: RoutingState,
        services: [any Service],
        client: HTTPClient,
        webhooks: WebhookSender,
        redactor: SecretRedactor,
        blocklist: StoreBlocklist,
        redriven: @Sendable () -> Void
    ) {
        let state = RoutingState(store: store.routing, kinds: ActionRegistry.targetKinds, logger: logger)
        let redactor = SecretRedactor(
            key: try KeyFiles.loadOrCreateFingerprintKey(in: configuration.store.dataDirectory)
        )
        try await LegacyTargetSplitter.split(
            store.routing,
            kinds: ActionRegistry.targetKinds,
            redactor: redactor,
            logger: logger
        )
        try await state.rebuild()
        var services: [any Service] = []
        if let directory = configuration.rulesDirectory {
            var watcher = ConfigWatcher(
                directory: directory,
                state: state,
                store: store,
                logger: logger,
                hangups: await UnixSignalsSequence(trapping: .sighup)
            )
            try await watcher.loadInitial()
            services.append(watcher)
        }
        // Per-target concurrency is the limit that matters; let the pool open that many connections.
        var clientConfiguration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        clientConfiguration.connectionPool = .init(
            idleTimeout: .seconds(60),
            concurrentHTTP1ConnectionsPerHostSoftLimit: 64
        )
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        let (signals, signal) = AsyncStream<DeliveryService.Signal>.makeStream(bufferingPolicy: .unbounded)
        let webhooks = WebhookSender(
            client: client,
            policy: OutboundPolicy(allowedNetworks: configuration.allowedTargetNetworks)
        )
        let blocklist = StoreBlocklist(
            store: store,
            clock: clock,
            serverAddresses: Self.listenAddresses(configuration)
        )
        let performer = ActionPerformer(
            context: RuntimeActionContext(
                store: store,
                keys: keys,
                webhooks: webhooks,
                programs: ExecRunner(options: configuration.exec),
                blocklist: blocklist,
                clock: clock
            )
        )
        services.append(BlocklistExpiryService(blocklist: blocklist, state: state, logger: logger))
        var router = RouterService(
            store: store,
            state: state,
            wake: { signal.yield(.routed) },
            clock: clock,
            logger: logger,
            metrics: metrics.routing
        )
        router.openEvent = openEvent
        var detection = DetectionService(
            log: store,
            identifiers: store.identifiers,
            cursor: StoreDetectionCursor(store: store),
            state: state,
            clock: clock,
            logger: logger,
            metrics: metrics.detection
        )
        detection.openEvent = openEvent
        if let cluster {
            // On a cluster the router reads the stream through a shared consumer, deliveries wait in
            // the shared queue (every node polls it for deliveries other nodes routed), and one node
            // at a time detects.
            services += [cluster.router(router), cluster.detector(detection)]
            services += cluster.services
        } else {
            services += [router, detection]
        }
        services.append(
            DeliveryService(
                queue: cluster?.queue ?? store.routing,
                log: cluster?.administration.log ?? store,
                identifiers: store.identifiers,
                targets: { state.current.targets },
                perform: { await performer.perform($0, event: $1.map(openEvent), target: $2) },
                signals: signals,
                signal: signal,
                clock: clock,
                logger: logger,
                configuration: DeliveryEngine.Configuration(
                    maxInFlight: configuration.maxDeliveriesInFlight,
                    pollMilliseconds: cluster == nil ? 1000 : 250
                ),
                metrics: metrics.delivery
            )
        )
        if cluster == nil, let retention = configuration.deliveriesRetention {
            services.append(
                DeliveryRetention(store: store, retention: retention, clock: clock, logger: logger)
            )
        }
        return (state, services, client, webhooks, redactor, blocklist, { signal.yield(.redriven) })
    }

    /// The specific addresses the server listens on (HTTP and syslog), which no blocklist blocks.
    private static func listenAddresses(_ configuration: RuntimeConfiguration) -> [IPRange] {
        let hosts = [configuration.server.host, configuration.syslogUDP?.host, configuration.syslogTCP?.host]
        return hosts.compactMap { host in
            guard let host, let address = IPAddress.parse(host), address.high != 0 || address.low != 0 else {
                return nil
            }
            return IPRange(address: address)
        }
    }
}
