// SPDX-License-Identifier: Apache-2.0

#if NATS
internal import CNats
import Foundation
import Synchronization

/// A connection to a NATS cluster with its JetStream context.
///
/// Blocking libnats calls run on the connection's own threads (``BlockingExecutor``), and
/// libnats' callbacks run on libnats' threads; neither touches Swift's cooperative pool. Call
/// ``close()`` when done: it fails what is still waiting and frees the C handles.
///
/// `@unchecked Sendable` because the C handles are set once in `init` and destroyed once in
/// `close()` (guarded by `isClosed`); libnats locks its connection and JetStream context
/// internally, so they may be used from any thread.
public final class NATSConnection: @unchecked Sendable {
    let connection: OpaquePointer
    let jetStream: OpaquePointer
    let executor: BlockingExecutor
    let configuration: NATSConnectionConfiguration
    let pendingAcks: PendingAcks
    private let isClosed = Mutex(false)

    private init(
        connection: OpaquePointer,
        jetStream: OpaquePointer,
        executor: BlockingExecutor,
        configuration: NATSConnectionConfiguration,
        pendingAcks: PendingAcks
    ) {
        self.connection = connection
        self.jetStream = jetStream
        self.executor = executor
        self.configuration = configuration
        self.pendingAcks = pendingAcks
    }

    /// Connects to the first reachable server of `configuration.servers`.
    ///
    /// - Throws: ``NATSError/Code/connection`` when no server answers.
    public static func connect(_ configuration: NATSConnectionConfiguration) async throws -> NATSConnection {
        let executor = BlockingExecutor(threads: configuration.blockingThreads, name: "tocsin-nats")
        do {
            return try await executor.run { () throws -> NATSConnection in
                try open(configuration, executor: executor)
            }
        } catch {
            executor.shutdown()
            throw error
        }
    }

    private static func open(
        _ configuration: NATSConnectionConfiguration,
        executor: BlockingExecutor
    ) throws(NATSError) -> NATSConnection {
        var options: OpaquePointer?
        try NATSError.check(natsOptions_Create(&options), operation: "create the NATS options")
        defer { natsOptions_Destroy(options) }
        var servers: [UnsafePointer<CChar>?] = configuration.servers.map { UnsafePointer(strdup($0)) }
        defer {
            for server in servers {
                free(UnsafeMutablePointer(mutating: server))
            }
        }
        let setUp: [natsStatus] = [
            natsOptions_SetServers(options, &servers, Int32(servers.count)),
            natsOptions_SetName(options, configuration.name),
            natsOptions_SetMaxReconnect(options, Int32(configuration.maxReconnect)),
            natsOptions_SetReconnectWait(options, configuration.reconnectWait.natsMilliseconds),
            natsOptions_SetTimeout(options, configuration.connectTimeout.natsMilliseconds),
            natsOptions_SetSendAsap(options, configuration.sendAsap),
        ]
        for status in setUp {
            try NATSError.check(status, operation: "set the NATS options (check the URL list)")
        }
        try configuration.authentication.apply(to: options)
        // A tls:// URL means TLS (libnats 3.4 does not read the scheme), and only the servers given
        // are dialled: the addresses a server advertises could take the credentials elsewhere.
        if configuration.servers.contains(where: { $0.hasPrefix("tls://") }) {
            try NATSError.check(natsOptions_SetSecure(options, true), operation: "turn on TLS to NATS")
        }
        try NATSError.check(
            natsOptions_SetIgnoreDiscoveredServers(options, true),
            operation: "keep to the servers of the URL list"
        )
        var connection: OpaquePointer?
        let connected = natsConnection_Connect(&connection, options)
        if connected == NATS_PROTOCOL_ERROR {
            // What a server that requires TLS or a client certificate answers to a client without them.
            throw NATSError(
                code: .connection,
                message:
                    "connect to NATS: the servers ended the handshake (\(String(cString: natsStatus_GetText(connected)))); "
                    + "if they require TLS, give --nats-tls-ca, and if they verify clients, --nats-tls-cert and --nats-tls-key"
            )
        }
        try NATSError.check(connected, operation: "connect to NATS")
        let pendingAcks = PendingAcks()
        var jsOptions = jsOptions()
        jsOptions_Init(&jsOptions)
        jsOptions.Wait = configuration.requestTimeout.natsMilliseconds
        jsOptions.PublishAsync.MaxPending = Int64(configuration.maxPendingPublishes)
        jsOptions.PublishAsync.StallWait = configuration.requestTimeout.natsMilliseconds
        jsOptions.PublishAsync.AckHandler = publishAckHandler
        jsOptions.PublishAsync.AckHandlerClosure = Unmanaged.passRetained(pendingAcks).toOpaque()
        var jetStream: OpaquePointer?
        let status = natsConnection_JetStream(&jetStream, connection, &jsOptions)
        guard status == NATS_OK, let connection, let jetStream else {
            Unmanaged.passUnretained(pendingAcks).release()
            natsConnection_Destroy(connection)
            throw NATSError.from(status, operation: "open the JetStream context")
        }
        return NATSConnection(
            connection: connection,
            jetStream: jetStream,
            executor: executor,
            configuration: configuration,
            pendingAcks: pendingAcks
        )
    }

    /// Closes the connection: waiting publishes fail with ``NATSError/Code/closed`` and the C handles are freed.
    public func close() async {
        let wasClosed = isClosed.withLock { closed in
            defer { closed = true }
            return closed
        }
        guard !wasClosed else {
            return
        }
        let connection = Handle(connection)
        let jetStream = Handle(jetStream)
        let pendingAcks = pendingAcks
        _ = try? await executor.run {
            natsConnection_Close(connection.pointer)
            jsCtx_Destroy(jetStream.pointer)
            natsConnection_Destroy(connection.pointer)
            // The registry stays allocated (one small object per closed connection): libnats' delivery
            // thread may still be inside the ack handler, which reads it.
            pendingAcks.failAll(NATSError(code: .closed, message: "the NATS connection was closed before the ack"))
        }
        executor.shutdown()
    }

    /// Whether the connection is up (not reconnecting, not closed).
    public var isConnected: Bool {
        natsConnection_Status(connection) == NATS_CONN_STATUS_CONNECTED
    }

    /// The URL of the server currently connected to, or `nil` while reconnecting.
    public var connectedURL: String? {
        var buffer = [CChar](repeating: 0, count: 256)
        guard natsConnection_GetConnectedUrl(connection, &buffer, buffer.count) == NATS_OK, buffer[0] != 0 else {
            return nil
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Runs a blocking call with the JetStream context on the connection's threads.
    func blocking<T: Sendable>(_ body: @escaping @Sendable (OpaquePointer) throws -> T) async throws -> T {
        let jetStream = Handle(jetStream)
        return try await executor.run { try body(jetStream.pointer) }
    }
}

/// A libnats handle passed between threads.
///
/// `@unchecked Sendable` because libnats objects lock themselves internally; the owner decides
/// when the handle is destroyed and never uses it afterwards.
struct Handle: @unchecked Sendable {
    let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) {
        self.pointer = pointer
    }
}
#endif
