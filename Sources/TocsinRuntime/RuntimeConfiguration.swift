// SPDX-License-Identifier: Apache-2.0

public import TocsinActions
public import TocsinCompliance
public import TocsinCore
public import TocsinServer
public import TocsinSources
public import TocsinStore

/// Everything `tocsin serve` needs, already validated.
public struct RuntimeConfiguration: Sendable {
    /// The embedded store's settings (data directory, durability, checkpoints).
    public var store: StoreConfiguration
    /// The HTTP API's settings (address, auth, limits).
    public var server: ServerConfiguration
    /// The directory of YAML rule and target files, watched for changes; `nil` for none.
    public var rulesDirectory: String?
    /// Where the syslog UDP listener binds (`host`, `port`); `nil` for none.
    public var syslogUDP: (host: String, port: Int)?
    /// Where the syslog TCP listener binds (`host`, `port`); `nil` for none.
    public var syslogTCP: (host: String, port: Int)?
    /// The addresses allowed to send syslog (UDP and TCP); others are dropped and counted.
    ///
    /// Default loopback only (`127.0.0.0/8`, `::1/128`).
    public var syslogAllowList: SyslogAllowList = .loopback
    /// Syslog TCP connections served at once; further ones are closed when accepted.
    ///
    /// Default 256.
    public var syslogMaxConnections = 256
    /// How long a syslog TCP connection may send nothing before it is closed.
    ///
    /// Default 5 minutes.
    public var syslogIdleTimeout: Duration = .seconds(300)
    /// MaxMind DB files (`.mmdb`: City or Country, and ASN) the GeoIP enricher reads; empty for
    /// no enrichment.
    public var geoIPDatabases: [String] = []
    /// Threat-intelligence list files (one indicator per line; each is the list named after its
    /// file), reloaded when they change; empty for none (docs/sources/enrichment.md).
    public var threatIntelFiles: [String] = []
    /// The identity directory, a CSV file with a header row (`user,email,team,manager,risk`),
    /// reloaded when it changes; `nil` for none.
    public var identityDirectory: String?
    /// The personal fields sealed with their subject's key at ingest (`--personal-data`,
    /// docs/erasure.md); empty seals nothing.
    public var personalData = PersonalDataPolicy()
    /// What to do at ingest with the personal and secret data found in event data
    /// (`--compliance-policy`, docs/compliance.md); `nil` runs no detector at ingest.
    public var compliancePolicy: CompliancePolicy?
    /// How long finished deliveries stay in the deliveries table; `nil` keeps them forever.
    ///
    /// Their `tocsin.delivery.*` events stay in the log regardless. Default 30 days.
    public var deliveriesRetention: Duration? = .seconds(30 * 86_400)
    /// The daily archive run (docs/archives.md); `nil` keeps the whole log live.
    public var archiving: ArchiveSchedule?
    /// Where `GET /v1/events` and replays read archived records from (docs/archives.md); `nil`
    /// reads the archive run's directory, or `<data-dir>/archives` without one.
    public var archiveDirectory: String?
    /// Deliveries in flight at once, over all targets.
    public var maxDeliveriesInFlight = 256
    /// JWT bearer tokens from an identity provider; `nil` accepts Tocsin API keys only.
    public var jwt: JWTSettings?
    /// How exec targets run programs: environment, resource limits, output cap, and the scratch
    /// directory under which each run gets an empty working directory.
    ///
    /// Default ``ExecRunner/Options`` with the scratch directory `<data-dir>/exec`.
    public var exec: ExecRunner.Options
    /// Networks webhook-style targets may reach whatever their address class
    /// (`--allow-target-network`); loopback, link-local, private and unique-local addresses outside
    /// them need the target's `allow_private_network: true`.
    ///
    /// Default none.
    public var allowedTargetNetworks: [IPRange] = []
    /// Serve Prometheus metrics at `GET /metrics` and keep them (`--no-metrics` turns both off).
    ///
    /// Default on. Whether the scrape needs a key is ``ServerConfiguration/metricsRequiresAuthentication``.
    public var metricsEnabled = true
    /// Serve the web console at `/ui` (`--no-console` turns it off; the API stays).
    public var consoleEnabled = true
    /// The NATS JetStream cluster that keeps the log and the identities (`--backend nats`); `nil`
    /// keeps everything in the embedded store.
    public var cluster: ClusterSettings?

    /// JWT bearer tokens: what they must satisfy, and where their signing keys come from.
    public struct JWTSettings: Sendable {
        /// Where the JWKS is read from.
        public enum Keys: Sendable, Hashable {
            /// A local file, re-read on refresh.
            case file(String)
            /// The provider's `jwks_uri` (https; http only on a loopback host).
            case url(String)
        }

        /// Issuer, audience, roles claim and role scopes.
        public var configuration: JWTConfiguration
        /// The JWKS.
        public var keys: Keys

        /// Creates the settings.
        public init(configuration: JWTConfiguration, keys: Keys) {
            self.configuration = configuration
            self.keys = keys
        }
    }

    /// Creates a configuration with defaults for `dataDirectory`.
    public init(dataDirectory: String) {
        self.store = StoreConfiguration(dataDirectory: dataDirectory)
        self.server = ServerConfiguration()
        self.exec = ExecRunner.Options()
        self.exec.scratchDirectory = dataDirectory + "/exec"
    }

    /// Whether `host` is a loopback name or address (`localhost`, `127.0.0.0/8`, `::1`).
    public static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" {
            return true
        }
        guard let address = IPAddress.parse(host) else {
            return false
        }
        let loopback = ["127.0.0.0/8", "::1/128"].compactMap {
            try? IPRange.parseCIDR($0, allowsSingleAddress: true).get()
        }
        return loopback.contains { $0.contains(address) }
    }

    /// Parses `host:port` (IPv6 in brackets: `[::1]:8080`).
    ///
    /// - Returns: `nil` when the text is not an address with a port from 0 to 65535.
    public static func parseAddress(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65_535).contains(port)
        else {
            return nil
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
        }
        return host.isEmpty ? nil : (host, port)
    }
}
