// SPDX-License-Identifier: Apache-2.0

#if NATS
/// How to reach a NATS cluster and how patient to be with it.
///
/// The defaults follow the failover measurements in `docs/scale-out.md`: reconnect forever every
/// 50 ms, 2 s per JetStream request, 1 s per publish acknowledgement, and `SendAsap` so an awaited
/// publish does not wait for libnats' flusher (about 1 ms otherwise).
public struct NATSConnectionConfiguration: Sendable, Hashable {
    /// The seed list, for example `["nats://127.0.0.1:4222", "nats://127.0.0.1:4223"]`.
    public var servers: [String]
    /// The connection name the servers show in their monitoring.
    public var name: String
    /// Reconnect attempts per server before giving up (`-1`: forever).
    public var maxReconnect: Int
    /// Pause between reconnect attempts.
    public var reconnectWait: Duration
    /// Time allowed to open a connection to one server.
    public var connectTimeout: Duration
    /// Time allowed for one JetStream API request (stream info, KV, direct get, fetch set-up).
    public var requestTimeout: Duration
    /// Time allowed for the acknowledgement of one published message.
    public var publishAckTimeout: Duration
    /// Writes each message at once instead of waiting for the flusher.
    public var sendAsap: Bool
    /// Asynchronous publishes that may wait for their acknowledgement at once.
    public var maxPendingPublishes: Int
    /// Threads that run blocking requests for this connection.
    public var blockingThreads: Int
    /// Credentials and TLS.
    public var authentication: NATSAuthentication

    /// Creates a configuration for `servers` with the defaults above.
    public init(
        servers: [String],
        name: String = "tocsin",
        maxReconnect: Int = -1,
        reconnectWait: Duration = .milliseconds(50),
        connectTimeout: Duration = .seconds(2),
        requestTimeout: Duration = .seconds(2),
        publishAckTimeout: Duration = .seconds(1),
        sendAsap: Bool = true,
        maxPendingPublishes: Int = 4096,
        blockingThreads: Int = 4,
        authentication: NATSAuthentication = NATSAuthentication()
    ) {
        self.servers = servers
        self.name = name
        self.maxReconnect = maxReconnect
        self.reconnectWait = reconnectWait
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.publishAckTimeout = publishAckTimeout
        self.sendAsap = sendAsap
        self.maxPendingPublishes = maxPendingPublishes
        self.blockingThreads = blockingThreads
        self.authentication = authentication
    }
}

/// A JetStream stream as Tocsin configures it: file storage, `replicas` copies, a window in which a
/// repeated `Nats-Msg-Id` is dropped, and optional age and size limits.
public struct NATSStreamConfiguration: Sendable, Hashable {
    /// The stream name (no dots, spaces or wildcards).
    public var name: String
    /// The subjects it captures, for example `["tocsin.events.>"]`.
    public var subjects: [String]
    /// Copies kept (1, 3 or 5); 3 survives the loss of one node.
    public var replicas: Int
    /// How long a `Nats-Msg-Id` is remembered; must exceed the longest publish retry.
    public var duplicateWindow: Duration
    /// Messages older than this are removed (`nil`: kept forever).
    public var maxAge: Duration?
    /// The oldest messages are removed above this size (`nil`: no limit).
    public var maxBytes: Int64?
    /// Streams whose messages this one copies in (a region's stream sourcing another region's).
    public var sources: [NATSStreamSource]
    /// A work queue removes each message once a consumer acknowledged it (consumers' subjects must
    /// not overlap); otherwise messages stay until the age or size limits remove them.
    public var isWorkQueue = false

    /// Creates a configuration.
    public init(
        name: String,
        subjects: [String],
        replicas: Int = 1,
        duplicateWindow: Duration = .seconds(120),
        maxAge: Duration? = nil,
        maxBytes: Int64? = nil,
        sources: [NATSStreamSource] = []
    ) {
        self.name = name
        self.subjects = subjects
        self.replicas = replicas
        self.duplicateWindow = duplicateWindow
        self.maxAge = maxAge
        self.maxBytes = maxBytes
        self.sources = sources
    }
}

/// A stream that another stream copies messages from, in order, resuming where it stopped after a
/// lost link.
///
/// Across regions linked by leafnodes the other region's stream is reached through its JetStream
/// domain's API prefix: a stream in domain `b` sources domain `a`'s `TOCSIN_EVENTS` with
/// `NATSStreamSource(name: "TOCSIN_EVENTS", apiPrefix: "$JS.a.API")`. Copied messages keep their
/// subject, headers (the `Nats-Msg-Id` too) and payload.
public struct NATSStreamSource: Sendable, Hashable {
    /// The name of the stream to copy from.
    public var name: String
    /// The JetStream API prefix of the domain that holds it (`$JS.<domain>.API`); `nil` for a
    /// stream in the same domain.
    public var apiPrefix: String?
    /// Copy only messages whose subject matches (wildcards allowed); `nil` copies all.
    public var filterSubject: String?

    /// Creates a source.
    public init(name: String, apiPrefix: String? = nil, filterSubject: String? = nil) {
        self.name = name
        self.apiPrefix = apiPrefix
        self.filterSubject = filterSubject
    }
}

/// What a stream's current state is: its leader, replicas and sequence numbers.
public struct NATSStreamInfo: Sendable, Hashable {
    /// One follower.
    public struct Replica: Sendable, Hashable {
        /// The server name.
        public var name: String
        /// Whether it has caught up with the leader.
        public var isCurrent: Bool
        /// Whether the leader considers it offline.
        public var isOffline: Bool
        /// Messages it is behind the leader.
        public var lag: UInt64
    }

    /// The stream name.
    public var name: String
    /// The server that leads the stream, or `nil` for a single server without clustering.
    public var leader: String?
    /// The followers.
    public var replicas: [Replica]
    /// Messages stored.
    public var messages: UInt64
    /// The first stored sequence (0 when empty).
    public var firstSequence: UInt64
    /// The last stored sequence (0 when empty).
    public var lastSequence: UInt64
}

extension Duration {
    /// Whole milliseconds, for libnats' millisecond arguments.
    var natsMilliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }

    /// Whole nanoseconds, for JetStream configuration fields.
    var natsNanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}
#endif
