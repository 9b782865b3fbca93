// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import Foundation
import Logging
import TocsinConfig
import TocsinRuntime
import TocsinServer
import TocsinSources
import TocsinStore

/// `tocsin serve`: run the server on the embedded store.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the Tocsin server with the embedded SQLite store.",
        discussion: """
            On first start it creates the data directory (mode 0700) with the database, the node's
            Ed25519 signing key (node.key, 0600; public half in node.pub) and the admin API key
            (admin.key, 0600). SIGTERM or SIGINT stops it gracefully: it stops accepting, answers
            in-flight requests, commits what is pending and signs a final checkpoint.
            With --backend nats (a build with --traits NATS) the log and the identities live on a
            NATS JetStream cluster instead, and several nodes share them (docs/scale-out.md).
            Every option below can also be set in a YAML file given with --config (keys are the
            flags with _ for -, see deploy/tocsin.yaml); a flag wins over its TOCSIN_* variable,
            which wins over the file.
            """
    )

    @Option(
        name: .customLong("config"),
        help: ArgumentHelp(
            "Read settings from this YAML file; flags and TOCSIN_* variables override it (env TOCSIN_CONFIG; example deploy/tocsin.yaml).",
            valueName: "file"
        )
    )
    var configFile: String?

    @Option(name: .customLong("data-dir"), help: "Data directory (env TOCSIN_DATA_DIR; default ./tocsin-data).")
    var dataDirectory: String?

    @Option(help: "Listen address host:port (env TOCSIN_HTTP; default 127.0.0.1:8080).")
    var http: String?

    @Flag(
        help:
            "Disable API authentication (env TOCSIN_INSECURE_NO_AUTH=1). Local development only: refused unless --http is a loopback address; warns on every start."
    )
    var insecureNoAuth = false

    @Option(
        help: "Requests a second one identity may make, bursts of twice that (env TOCSIN_RATE_LIMIT; default none)."
    )
    var rateLimit: Double?

    @Option(
        help:
            "Requests a second one address may make, bursts of twice that (env TOCSIN_RATE_LIMIT_ADDRESS; default none)."
    )
    var rateLimitAddress: Double?

    @Flag(help: "Keep no metrics and serve no /metrics (env TOCSIN_NO_METRICS=1).")
    var noMetrics = false

    @Flag(
        help:
            "Require a key with the metrics:read permission (role metrics or admin) on GET /metrics (env TOCSIN_METRICS_AUTH=1; default open)."
    )
    var metricsAuth = false

    @Flag(help: "Serve no web console at /ui (env TOCSIN_NO_CONSOLE=1); the API is unchanged.")
    var noConsole = false

    @Option(help: "Open HTTP connections at once (env TOCSIN_MAX_CONNECTIONS; default 1024).")
    var maxConnections: Int?

    @Option(help: "Close an HTTP connection idle this many seconds (env TOCSIN_IDLE_TIMEOUT; default 60).")
    var idleTimeout: Int?

    @Option(
        help: "Close a connection whose request body takes longer, in seconds (env TOCSIN_BODY_TIMEOUT; default 60)."
    )
    var bodyTimeout: Int?

    @Option(help: "Live event streams one identity may hold open (env TOCSIN_MAX_STREAMS; default 8).")
    var maxStreams: Int?

    @Option(help: "Sign a checkpoint every N records (env TOCSIN_CHECKPOINT_EVERY; default 10000).")
    var checkpointEvery: Int64?

    @Option(help: "Sign a checkpoint at least every N seconds (env TOCSIN_CHECKPOINT_SECONDS; default 60).")
    var checkpointSeconds: Int?

    @Option(
        name: .customLong("checkpoint-witness"),
        help: ArgumentHelp(
            "Append every signed checkpoint as a JSON line to this file, outside the data directory; keep it off this host (env TOCSIN_CHECKPOINT_WITNESS).",
            valueName: "file"
        )
    )
    var checkpointWitness: String?

    @Option(help: "Commit durability: full (fsync every commit) or normal (env TOCSIN_SYNCHRONOUS; default full).")
    var synchronous: String?

    @Option(help: "Largest request body in bytes (env TOCSIN_MAX_BODY_BYTES; default 1048576).")
    var maxBodyBytes: Int?

    @Option(
        name: .customLong("rules-dir"),
        help: "Directory of YAML rule and target files, reloaded on SIGHUP and on change (env TOCSIN_RULES_DIR)."
    )
    var rulesDirectory: String?

    @Option(name: .customLong("syslog-udp"), help: "Receive syslog over UDP on host:port (env TOCSIN_SYSLOG_UDP).")
    var syslogUDP: String?

    @Option(
        name: .customLong("syslog-tcp"),
        help: "Receive syslog over TCP on host:port, RFC 6587 framing (env TOCSIN_SYSLOG_TCP)."
    )
    var syslogTCP: String?

    @Option(
        name: .customLong("syslog-allow"),
        help: ArgumentHelp(
            "Accept syslog only from this CIDR block or address; repeat for several (env TOCSIN_SYSLOG_ALLOW, comma-separated; default loopback only: 127.0.0.0/8, ::1/128).",
            valueName: "cidr"
        )
    )
    var syslogAllow: [String] = []

    @Option(
        name: .customLong("syslog-max-connections"),
        help:
            "Syslog TCP connections served at once; more are closed when accepted (env TOCSIN_SYSLOG_MAX_CONNECTIONS; default 256)."
    )
    var syslogMaxConnections: Int?

    @Option(
        name: .customLong("syslog-idle-seconds"),
        help:
            "Close a syslog TCP connection that sends nothing for S seconds (env TOCSIN_SYSLOG_IDLE_SECONDS; default 300)."
    )
    var syslogIdleSeconds: Int?

    @Option(
        name: .customLong("geoip-db"),
        help: ArgumentHelp(
            "A MaxMind DB file (.mmdb, e.g. GeoLite2-City or GeoLite2-ASN) for GeoIP enrichment; repeat for several (env TOCSIN_GEOIP_DB, comma-separated).",
            valueName: "path"
        )
    )
    var geoIPDatabases: [String] = []

    @Option(
        name: .customLong("deliveries-retention-days"),
        help:
            "Delete delivered deliveries after N days; 0 keeps them (env TOCSIN_DELIVERIES_RETENTION_DAYS; default 30)."
    )
    var deliveriesRetentionDays: Int64?

    /// HTTPS, mutual TLS and JWT bearer tokens (docs/security.md).
    @OptionGroup var trust: TrustOptions

    /// Threat-intelligence lists and the identity directory (docs/sources/enrichment.md).
    @OptionGroup var enrichment: EnrichmentOptions
    /// The personal fields sealed at ingest (docs/erasure.md).
    @OptionGroup var personalData: PersonalDataOptions
    @OptionGroup var compliancePolicy: CompliancePolicyOptions

    /// Exec programs and the outbound network policy (docs/delivery.md).
    @OptionGroup var response: ResponseOptions

    /// Trace export over OTLP/HTTP (docs/tracing.md).
    @OptionGroup var tracing: TracingOptions

    /// The daily archive run (docs/archives.md).
    @OptionGroup var archiving: ArchiveOptions

    /// The log and the identities on a NATS JetStream cluster (docs/scale-out.md).
    @OptionGroup var cluster: ClusterOptions

    func run() async throws {
        let configuration: RuntimeConfiguration
        let otlpEndpoint: String?
        do {
            configuration = try makeConfiguration()
            otlpEndpoint = try tracingEndpoint()
        } catch let error as ConfigError {
            for diagnostic in error.diagnostics {
                printError("error: \(diagnostic)")
            }
            throw ExitCode.validationFailure
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = Environment.value("LOG_LEVEL").flatMap(Logger.Level.init(rawValue:)) ?? .info
            return handler
        }
        let logger = Logger(label: "tocsin")
        let host = configuration.server.host
        let scheme = configuration.server.tls == nil ? "http" : "https"
        try await TracingOptions.run(endpoint: otlpEndpoint) {
            try await TocsinRuntime.serve(
                configuration,
                logger: logger,
                onListening: { port in
                    printLine(
                        "Tocsin listening on \(scheme)://\(host):\(port) (data: \(configuration.store.dataDirectory))"
                    )
                },
                onSyslogListening: { transport, port in
                    let address = transport == "udp" ? configuration.syslogUDP : configuration.syslogTCP
                    printLine("Syslog listening on \(transport)://\(address?.host ?? host):\(port)")
                }
            )
        }
    }

    /// The OTLP endpoint from the flag, `TOCSIN_OTLP_ENDPOINT` or the file's `otlp_endpoint`, checked,
    /// or `nil` when tracing is off.
    ///
    /// - Throws: `ValidationError` for a URL that is not http(s), or in a build without the trait.
    func tracingEndpoint(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String? {
        let settings = try ServeSettings.load(configPath: configFile, environment: environment)
        guard let endpoint = settings.text(.otlpEndpoint, tracing.otlpEndpoint) else {
            return nil
        }
        try TracingOptions.check(endpoint)
        return endpoint
    }

    /// The runtime configuration from the flags, `environment` and the configuration file.
    ///
    /// - Throws: `ValidationError` for a value out of range; ``ConfigError`` for the file's problems.
    func makeConfiguration(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> RuntimeConfiguration {
        let settings = try ServeSettings.load(configPath: configFile, environment: environment)
        let directory = settings.text(.dataDirectory, dataDirectory) ?? "./tocsin-data"
        var configuration = RuntimeConfiguration(dataDirectory: directory)
        let address = settings.text(.http, http) ?? "127.0.0.1:8080"
        guard let (host, port) = RuntimeConfiguration.parseAddress(address) else {
            throw ValidationError("--http must be host:port, e.g. 127.0.0.1:8080 or [::1]:8080")
        }
        configuration.server.host = host
        configuration.server.port = port
        configuration.server.requiresAuthentication = !settings.isOn(.insecureNoAuth, insecureNoAuth)
        if !configuration.server.requiresAuthentication, !RuntimeConfiguration.isLoopback(host) {
            throw ValidationError(
                "--insecure-no-auth (or TOCSIN_INSECURE_NO_AUTH) is refused on \(host): without authentication anyone who can reach the port can read and write events. Listen on 127.0.0.1 or ::1, or turn authentication on"
            )
        }
        configuration.metricsEnabled = !settings.isOn(.noMetrics, noMetrics)
        configuration.server.metricsRequiresAuthentication = settings.isOn(.metricsAuth, metricsAuth)
        configuration.consoleEnabled = !settings.isOn(.noConsole, noConsole)
        try applyLimits(to: &configuration, settings: settings)
        try trust.apply(to: &configuration, settings: settings)
        if let every = try settings.integer(.checkpointEvery, checkpointEvery) {
            guard every > 0 else { throw ValidationError("--checkpoint-every must be at least 1") }
            configuration.store.checkpointEveryRecords = every
        }
        if let seconds = try settings.integer(.checkpointSeconds, checkpointSeconds) {
            guard seconds > 0 else { throw ValidationError("--checkpoint-seconds must be at least 1") }
            configuration.store.checkpointInterval = .seconds(seconds)
        }
        if let mode = settings.text(.synchronous, synchronous) {
            guard let value = StoreConfiguration.Synchronous(rawValue: mode.uppercased()) else {
                throw ValidationError("--synchronous must be 'full' or 'normal'")
            }
            configuration.store.synchronous = value
        }
        if let bytes = try settings.integer(.maxBodyBytes, maxBodyBytes) {
            guard bytes >= 1024 else { throw ValidationError("--max-body-bytes must be at least 1024") }
            configuration.server.maxBodyBytes = Int(bytes)
        }
        configuration.rulesDirectory = settings.text(.rulesDirectory, rulesDirectory)
        configuration.store.checkpointWitnessPath = settings.text(.checkpointWitness, checkpointWitness)
        for (setting, value) in [(ServeSetting.syslogUDP, syslogUDP), (.syslogTCP, syslogTCP)] {
            guard let text = settings.text(setting, value) else {
                continue
            }
            guard let address = RuntimeConfiguration.parseAddress(text) else {
                throw ValidationError("\(setting.flag) must be host:port, e.g. 0.0.0.0:5514")
            }
            if setting == .syslogUDP {
                configuration.syslogUDP = address
            } else {
                configuration.syslogTCP = address
            }
        }
        try applySyslogLimits(to: &configuration, settings: settings)
        if let days = try settings.integer(.deliveriesRetentionDays, deliveriesRetentionDays) {
            guard (0...36_500).contains(days) else {
                throw ValidationError("--deliveries-retention-days must be from 0 (keep) to 36500")
            }
            configuration.deliveriesRetention = days == 0 ? nil : .seconds(days * 86_400)
        }
        configuration.geoIPDatabases = settings.list(.geoIPDatabases, geoIPDatabases)
        enrichment.apply(to: &configuration, settings: settings)
        try personalData.apply(to: &configuration, settings: settings)
        try archiving.apply(to: &configuration, settings: settings)
        try compliancePolicy.apply(to: &configuration, settings: settings)
        try response.apply(to: &configuration, settings: settings)
        try cluster.apply(to: &configuration, settings: settings)
        return configuration
    }

    private func applyLimits(to configuration: inout RuntimeConfiguration, settings: ServeSettings) throws {
        for (setting, value) in [(ServeSetting.rateLimit, rateLimit), (.rateLimitAddress, rateLimitAddress)] {
            guard let rate = try settings.number(setting, value) else {
                continue
            }
            guard rate > 0, rate <= 1_000_000 else {
                throw ValidationError("\(setting.flag) must be a number of requests a second from above 0 to 1000000")
            }
            if setting == .rateLimit {
                configuration.server.limits.perIdentity = rate
            } else {
                configuration.server.limits.perAddress = rate
            }
        }
        if let count = try settings.integer(.maxConnections, maxConnections) {
            guard (1...100_000).contains(count) else {
                throw ValidationError("--max-connections must be from 1 to 100000")
            }
            configuration.server.maxConnections = Int(count)
        }
        if let seconds = try settings.integer(.idleTimeout, idleTimeout) {
            guard (1...86_400).contains(seconds) else {
                throw ValidationError("--idle-timeout must be from 1 to 86400 seconds")
            }
            configuration.server.idleTimeout = .seconds(seconds)
        }
        if let seconds = try settings.integer(.bodyTimeout, bodyTimeout) {
            guard (1...3_600).contains(seconds) else {
                throw ValidationError("--body-timeout must be from 1 to 3600 seconds")
            }
            configuration.server.bodyTimeout = .seconds(seconds)
        }
        if let count = try settings.integer(.maxStreams, maxStreams) {
            guard (1...1000).contains(count) else { throw ValidationError("--max-streams must be from 1 to 1000") }
            configuration.server.maxStreamsPerIdentity = Int(count)
        }
    }

    /// `--syslog-allow`, `--syslog-max-connections` and `--syslog-idle-seconds`.
    private func applySyslogLimits(to configuration: inout RuntimeConfiguration, settings: ServeSettings) throws {
        let allowed = settings.list(.syslogAllow, syslogAllow)
        if !allowed.isEmpty {
            do {
                configuration.syslogAllowList = try SyslogAllowList(parsing: allowed)
            } catch {
                throw ValidationError(
                    "--syslog-allow takes CIDR blocks or addresses, e.g. 10.0.0.0/8 or 192.0.2.7: \(error)"
                )
            }
        }
        if let connections = try settings.integer(.syslogMaxConnections, syslogMaxConnections) {
            guard (1...65_536).contains(connections) else {
                throw ValidationError("--syslog-max-connections must be from 1 to 65536")
            }
            configuration.syslogMaxConnections = Int(connections)
        }
        if let seconds = try settings.integer(.syslogIdleSeconds, syslogIdleSeconds) {
            guard (1...86_400).contains(seconds) else {
                throw ValidationError("--syslog-idle-seconds must be from 1 to 86400")
            }
            configuration.syslogIdleTimeout = .seconds(seconds)
        }
    }
}
