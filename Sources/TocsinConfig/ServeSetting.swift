// SPDX-License-Identifier: Apache-2.0

/// One `tocsin serve` option as it can be set three ways: a command-line flag, a `TOCSIN_*`
/// environment variable and a key of the configuration file (`tocsin.yaml`).
///
/// ``all`` is the one list of them: the file reader accepts exactly these keys, and a test checks
/// that every option `tocsin serve` parses is in it, so a new flag cannot be left out of the file.
/// The file key is the flag's long name with underscores (`--max-body-bytes` → `max_body_bytes`).
public struct ServeSetting: Sendable, Hashable, CustomStringConvertible {
    /// The shape of the value, checked when the file is read.
    public enum Kind: Sendable, Hashable {
        /// Any string (`127.0.0.1:8080`, a path).
        case string
        /// A whole number.
        case integer
        /// A decimal number.
        case number
        /// `true` or `false`; the environment variable is on when it is `1` or `true`.
        case boolean
        /// A list of strings; the flag repeats, the environment variable is comma-separated.
        case list
        /// A mapping of role name to event pattern; the environment variable is a JSON object.
        case roleScopes
    }

    /// The long flag, with its dashes (`--data-dir`).
    public let flag: String
    /// The environment variable, when the option has one.
    public let environment: String?
    /// The shape of the value.
    public let kind: Kind

    /// Declares an option.
    public init(flag: String, environment: String?, kind: Kind) {
        self.flag = flag
        self.environment = environment
        self.kind = kind
    }

    /// The configuration file key: the flag without its dashes, `-` replaced by `_`.
    public var key: String {
        String(flag.drop { $0 == "-" }.map { $0 == "-" ? "_" : $0 })
    }

    /// The flag, for messages.
    public var description: String { flag }

    /// The setting whose file key is `key`, if any.
    public static func named(_ key: String) -> ServeSetting? {
        all.first { $0.key == key }
    }
}

extension ServeSetting {
    private static func make(_ flag: String, _ kind: Kind, environment: String? = "") -> ServeSetting {
        let setting = ServeSetting(flag: flag, environment: nil, kind: kind)
        let variable = environment == "" ? "TOCSIN_" + setting.key.uppercased() : environment
        return ServeSetting(flag: flag, environment: variable, kind: kind)
    }

    /// `--data-dir`.
    public static let dataDirectory = make("--data-dir", .string)
    /// `--http`.
    public static let http = make("--http", .string)
    /// `--insecure-no-auth`.
    public static let insecureNoAuth = make("--insecure-no-auth", .boolean)
    /// `--no-metrics`.
    public static let noMetrics = make("--no-metrics", .boolean)
    /// `--no-console`.
    public static let noConsole = make("--no-console", .boolean)
    /// `--metrics-auth`.
    public static let metricsAuth = make("--metrics-auth", .boolean)
    /// `--rate-limit`.
    public static let rateLimit = make("--rate-limit", .number)
    /// `--rate-limit-address`.
    public static let rateLimitAddress = make("--rate-limit-address", .number)
    /// `--max-connections`.
    public static let maxConnections = make("--max-connections", .integer)
    /// `--idle-timeout`.
    public static let idleTimeout = make("--idle-timeout", .integer)
    /// `--body-timeout`.
    public static let bodyTimeout = make("--body-timeout", .integer)
    /// `--max-streams`.
    public static let maxStreams = make("--max-streams", .integer)
    /// `--checkpoint-every`.
    public static let checkpointEvery = make("--checkpoint-every", .integer)
    /// `--checkpoint-seconds`.
    public static let checkpointSeconds = make("--checkpoint-seconds", .integer)
    /// `--checkpoint-witness`.
    public static let checkpointWitness = make("--checkpoint-witness", .string)
    /// `--synchronous`.
    public static let synchronous = make("--synchronous", .string)
    /// `--max-body-bytes`.
    public static let maxBodyBytes = make("--max-body-bytes", .integer)
    /// `--rules-dir`.
    public static let rulesDirectory = make("--rules-dir", .string)
    /// `--syslog-udp`.
    public static let syslogUDP = make("--syslog-udp", .string)
    /// `--syslog-tcp`.
    public static let syslogTCP = make("--syslog-tcp", .string)
    /// `--syslog-allow`.
    public static let syslogAllow = make("--syslog-allow", .list)
    /// `--syslog-max-connections`.
    public static let syslogMaxConnections = make("--syslog-max-connections", .integer)
    /// `--syslog-idle-seconds`.
    public static let syslogIdleSeconds = make("--syslog-idle-seconds", .integer)
    /// `--geoip-db`.
    public static let geoIPDatabases = make("--geoip-db", .list)
    /// `--deliveries-retention-days`.
    public static let deliveriesRetentionDays = make("--deliveries-retention-days", .integer)
    /// `--tls-cert`.
    public static let tlsCertificate = make("--tls-cert", .string)
    /// `--tls-key`.
    public static let tlsKey = make("--tls-key", .string)
    /// `--client-ca`.
    public static let clientCA = make("--client-ca", .string)
    /// `--jwt-issuer`.
    public static let jwtIssuer = make("--jwt-issuer", .string)
    /// `--jwt-audience`.
    public static let jwtAudience = make("--jwt-audience", .string)
    /// `--jwks-file`.
    public static let jwksFile = make("--jwks-file", .string)
    /// `--jwks-url`.
    public static let jwksURL = make("--jwks-url", .string)
    /// `--jwt-roles-claim`.
    public static let jwtRolesClaim = make("--jwt-roles-claim", .string)
    /// `--jwt-role-scope`; its environment variable is `TOCSIN_JWT_ROLE_SCOPES`.
    public static let jwtRoleScopes = make("--jwt-role-scope", .roleScopes, environment: "TOCSIN_JWT_ROLE_SCOPES")
    /// `--threat-intel`.
    public static let threatIntel = make("--threat-intel", .list)
    /// `--identity-directory`.
    public static let identityDirectory = make("--identity-directory", .string)
    /// `--allow-target-network`.
    public static let allowTargetNetwork = make("--allow-target-network", .list)
    /// `--exec-env`; no environment variable (the server's own environment is what it passes on).
    public static let execEnvironment = make("--exec-env", .list, environment: nil)
    /// `--exec-cpu-seconds`.
    public static let execCPUSeconds = make("--exec-cpu-seconds", .integer)
    /// `--exec-memory-mb`.
    public static let execMemoryMegabytes = make("--exec-memory-mb", .integer)
    /// `--exec-open-files`.
    public static let execOpenFiles = make("--exec-open-files", .integer)
    /// `--exec-output-bytes`.
    public static let execOutputBytes = make("--exec-output-bytes", .integer)
    /// `--otlp-endpoint`.
    public static let otlpEndpoint = make("--otlp-endpoint", .string)
    /// `--personal-data`.
    public static let personalData = make("--personal-data", .string)
    /// `--archive-retention`.
    public static let archiveRetention = make("--archive-retention", .string)
    /// `--archive-dir`.
    public static let archiveDirectory = make("--archive-dir", .string)
    /// `--archive-interval-seconds`.
    public static let archiveIntervalSeconds = make("--archive-interval-seconds", .integer)
    /// `--compliance-policy`.
    public static let compliancePolicy = make("--compliance-policy", .string)
    /// `--backend`.
    public static let backend = make("--backend", .string)
    /// `--nats-url`; the file and the environment variable take the comma-separated seed list.
    public static let natsURL = make("--nats-url", .string)
    /// `--nats-replicas`.
    public static let natsReplicas = make("--nats-replicas", .integer)
    /// `--nats-publish-wait-seconds`.
    public static let natsPublishWaitSeconds = make("--nats-publish-wait-seconds", .integer)
    /// `--nats-source-domain`; the file and the environment variable take a comma-separated list.
    public static let natsSourceDomains = make("--nats-source-domain", .string)
    /// `--detection-partitions`.
    public static let detectionPartitions = make("--detection-partitions", .integer)
    /// `--node-name`.
    public static let nodeName = make("--node-name", .string)
    /// `--nats-user`.
    public static let natsUser = make("--nats-user", .string)
    /// `--nats-password-file`.
    public static let natsPasswordFile = make("--nats-password-file", .string)
    /// `--nats-creds`.
    public static let natsCredentials = make("--nats-creds", .string)
    /// `--nats-tls-ca`.
    public static let natsTLSCA = make("--nats-tls-ca", .string)
    /// `--nats-tls-cert`.
    public static let natsTLSCertificate = make("--nats-tls-cert", .string)
    /// `--nats-tls-key`.
    public static let natsTLSKey = make("--nats-tls-key", .string)
    /// `--nats-insecure-no-auth`.
    public static let natsInsecureNoAuth = make("--nats-insecure-no-auth", .boolean)

    /// Every option `tocsin serve` takes from a file, in the order of `tocsin serve --help`.
    public static let all: [ServeSetting] = [
        dataDirectory, http, insecureNoAuth, rateLimit, rateLimitAddress, noMetrics, metricsAuth, noConsole,
        maxConnections, idleTimeout, bodyTimeout,
        maxStreams, checkpointEvery, checkpointSeconds, checkpointWitness, synchronous, maxBodyBytes, rulesDirectory,
        syslogUDP, syslogTCP, syslogAllow, syslogMaxConnections, syslogIdleSeconds, geoIPDatabases,
        deliveriesRetentionDays, tlsCertificate, tlsKey, clientCA, jwtIssuer, jwtAudience, jwksFile, jwksURL,
        jwtRolesClaim, jwtRoleScopes, threatIntel, identityDirectory, allowTargetNetwork, execEnvironment,
        execCPUSeconds, execMemoryMegabytes, execOpenFiles, execOutputBytes, otlpEndpoint,
        personalData,
        archiveRetention, archiveDirectory, archiveIntervalSeconds,
        compliancePolicy,
        backend, natsURL, natsReplicas, natsPublishWaitSeconds, natsSourceDomains, detectionPartitions, nodeName,
        natsUser,
        natsPasswordFile,
        natsCredentials,
        natsTLSCA, natsTLSCertificate, natsTLSKey, natsInsecureNoAuth,
    ]
}
