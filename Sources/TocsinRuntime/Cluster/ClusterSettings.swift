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

    /// Creates the settings.
    public init(servers: [String], nodeName: String, replicas: Int = 3, publishWait: Duration = .seconds(10)) {
        self.servers = servers
        self.nodeName = nodeName
        self.replicas = replicas
        self.publishWait = publishWait
    }
}
