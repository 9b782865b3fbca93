// SPDX-License-Identifier: Apache-2.0

public import TocsinCore
public import TocsinResponse

/// The runtime services a perform step may use; the composition root provides them.
///
/// Built-in actions reach the store, the key administration and the incident model through this
/// protocol rather than living in the composition root, and tests provide a recording context.
public protocol ActionContext: Sendable {
    /// The current wall time (from the injected clock).
    var now: WallInstant { get }

    /// POSTs an HTTP request.
    ///
    /// - Parameter request: The URL, headers, body, timeout and outbound policy.
    /// - Returns: The outcome; a failure names the host and the cause.
    func post(_ request: OutboundRequest) async -> AttemptOutcome

    /// Runs a program with `input` on its standard input.
    ///
    /// - Returns: The outcome; a failure names the program and its status or the errno.
    func run(command: String, arguments: [String], input: [UInt8], timeoutMilliseconds: Int64) async -> AttemptOutcome

    /// The blocklist's state and files.
    var blocklist: any BlocklistService { get }

    /// Appends `alert` to the log.
    ///
    /// - Returns: The alert event's id and sequence number.
    /// - Throws: When the log refuses the append.
    func raise(_ alert: Alert) async throws -> (id: String, sequence: Int64)

    /// Revokes the API key named `name`.
    ///
    /// - Returns: Whether a key was revoked, or why the revocation is refused.
    func revokeKey(name: String, actor: String) async -> Result<Bool, AttemptFailure>
}

/// An outbound HTTP POST of a webhook-style target.
public struct OutboundRequest: Sendable, Hashable {
    /// The receiver's URL.
    public var url: String
    /// Request headers, in order.
    public var headers: [Header]
    /// The body.
    public var body: [UInt8]
    /// The per-attempt timeout.
    public var timeoutMilliseconds: Int64
    /// Whether the target may reach loopback, link-local, private and unique-local addresses.
    public var allowPrivateNetwork: Bool

    /// One request header.
    public struct Header: Sendable, Hashable {
        /// The header name.
        public var name: String
        /// The header value.
        public var value: String

        /// Creates a header.
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    /// Creates a request.
    public init(
        url: String,
        headers: [Header],
        body: [UInt8],
        timeoutMilliseconds: Int64,
        allowPrivateNetwork: Bool
    ) {
        self.url = url
        self.headers = headers
        self.body = body
        self.timeoutMilliseconds = timeoutMilliseconds
        self.allowPrivateNetwork = allowPrivateNetwork
    }
}

/// The blocklist's store and files, as the blocklist action uses them.
public protocol BlocklistService: Sendable {
    /// The entries still active at `nowMilliseconds`.
    ///
    /// - Throws: When the store cannot be read.
    func activeEntries(nowMilliseconds: Int64) async throws -> [BlocklistEntry]

    /// Adds `entry`, or extends the active entry of the same address, unless the list already holds
    /// `maxEntries` other entries active at `entry.addedMilliseconds`; the count and the write are one
    /// atomic step, so concurrent deliveries cannot overfill the list.
    ///
    /// - Returns: Whether the entry was stored (`false`: the list is full).
    /// - Throws: When the store cannot be written.
    func add(_ entry: BlocklistEntry, maxEntries: Int) async throws -> Bool

    /// Rewrites the nftables file at `path` from the active entries that pass `policy`.
    ///
    /// - Throws: ``ActionError`` naming the path and errno.
    func writeFile(_ path: String, policy: BlocklistPolicy) async throws

    /// Addresses the server listens on, never blocked whatever a target says.
    var serverAddresses: [IPRange] { get }
}
