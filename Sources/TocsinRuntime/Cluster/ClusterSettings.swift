// SPDX-License-Identifier: Apache-2.0

/// `tocsin serve --backend nats`: where the NATS JetStream cluster is and how the node uses it
/// (docs/scale-out.md).
///
/// With these settings the event log and the identities live on the cluster; the data directory
/// keeps the node's keys, its configuration and its local SQLite store for what is not on NATS yet.
public struct ClusterSettings: Sendable, Hashable {
    /// The seed list, for example `["nats://10.0.0.1:4222", "nats://10.0.0.2:4222"]`.
    public var servers: [String]
    /// Copies the cluster keeps of the event stream and the identities bucket.
    ///
    /// Default 3.
    public var replicas: Int
    /// How long a publish retries through a stream leader election before the API answers `503`
    /// with `Retry-After`.
    ///
    /// Default 10 seconds (longer than the slowest election measured, 7.2 s).
    public var publishWait: Duration
    /// This node's name: the NATS connection name, and a label in logs and metrics.
    public var nodeName: String
    /// How this node authenticates to NATS and checks the servers.
    public var authentication: ClusterAuthentication
    /// The file this node appends each cluster checkpoint it signs to (`--checkpoint-witness`), or `nil`.
    public var checkpointWitnessPath: String?
    /// The JetStream domains of other regions whose event stream this region's stream copies in
    /// (`--nats-source-domain`), so their events are routed here too.
    public var sourceDomains: [String] = []
    /// How many partitions the cluster's detections are split into by group key
    /// (`--detection-partitions`); the first node stores it for the cluster, and the others follow it.
    ///
    /// Default 16.
    public var detectionPartitions = 16

    /// Creates the settings.
    public init(
        servers: [String],
        nodeName: String,
        replicas: Int = 3,
        publishWait: Duration = .seconds(10),
        authentication: ClusterAuthentication = ClusterAuthentication()
    ) {
        self.servers = servers
        self.authentication = authentication
        self.nodeName = nodeName
        self.replicas = replicas
        self.publishWait = publishWait
    }
}

/// How a node authenticates to the NATS servers and checks who they are (docs/scale-out.md#security).
///
/// Secrets are read from files by the command line; the description never shows the password.
public struct ClusterAuthentication: Sendable, Hashable, CustomStringConvertible, CustomReflectable {
    /// The user name, presented with ``password`` (the servers' `authorization { users = […] }`).
    public var userName: String?
    /// The password of ``userName``, read from `--nats-password-file`.
    public var password: String?
    /// A `.creds` file (user JWT and NKey seed) for an operator-mode cluster.
    public var credentialsFile: String?
    /// A PEM file of the certificate authorities that sign the servers' certificates (turns on TLS).
    public var trustedCertificatesFile: String?
    /// A PEM client certificate chain, for servers that verify clients.
    public var certificateChainFile: String?
    /// The PEM private key of ``certificateChainFile``.
    public var privateKeyFile: String?

    /// Creates the settings; the default is anonymous and in clear.
    public init() {}

    /// Whether the node presents anything: a password, a credentials file or a client certificate.
    public var authenticates: Bool {
        userName != nil || credentialsFile != nil || certificateChainFile != nil
    }

    /// What `dump` and reflection show: the description only.
    public var customMirror: Mirror {
        Mirror(self, children: ["authentication": description])
    }

    /// What logs show: the method and file names, never the password.
    public var description: String {
        var parts: [String] = []
        if let userName {
            parts.append("user \(userName) with a password")
        }
        if let credentialsFile {
            parts.append("credentials file \(credentialsFile)")
        }
        if trustedCertificatesFile != nil || certificateChainFile != nil {
            parts.append("TLS")
        }
        if let certificateChainFile {
            parts.append("client certificate \(certificateChainFile)")
        }
        return parts.isEmpty ? "anonymous" : parts.joined(separator: ", ")
    }
}
