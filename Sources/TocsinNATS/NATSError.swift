// SPDX-License-Identifier: Apache-2.0

#if NATS
internal import CNats

/// A failure of the NATS adapter, with a message that says how to fix it.
///
/// Messages name operations, streams, buckets and keys, never event payloads or values.
public struct NATSError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable, machine-readable reason.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String

        private init(_ name: String) {
            self.name = name
        }

        /// No server of the seed list could be reached.
        public static let connection = Code("nats-connection")
        /// The stream or the JetStream API has no leader right now (an election, a lost quorum) or did not
        /// answer in time; the same request may succeed later.
        public static let unavailable = Code("nats-unavailable")
        /// The stream, consumer, bucket, key or message does not exist.
        public static let notFound = Code("nats-not-found")
        /// A compare-and-set found another revision (a KV update at a stale revision, a create of an existing key).
        public static let wrongRevision = Code("nats-wrong-revision")
        /// The server refused the request (a bad configuration, a limit).
        public static let refused = Code("nats-refused")
        /// The connection is closed.
        public static let closed = Code("nats-closed")
        /// The servers refused the credentials, or this user may not do the request.
        public static let unauthorized = Code("nats-unauthorized")

        /// The code's stable text.
        public var description: String {
            name
        }
    }

    /// The reason.
    public var code: Code
    /// What happened and how to fix it.
    public var message: String
    /// How long a caller should wait before trying again, for ``Code/unavailable``.
    public var retryAfter: Duration?

    /// Creates an error.
    public init(code: Code, message: String, retryAfter: Duration? = nil) {
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
    }

    /// The message.
    public var description: String {
        "\(code): \(message)"
    }

    /// Whether the same request may succeed later (a leader election, a reconnect).
    public var isTransient: Bool {
        code == .unavailable
    }

    /// Maps a libnats status (and JetStream error code) of `operation` to an error.
    static func from(_ status: natsStatus, jsError: jsErrCode = jsErrCode(rawValue: 0), operation: String) -> NATSError
    {
        let text = String(cString: natsStatus_GetText(status))
        if jsError.rawValue == 10071 {
            return NATSError(
                code: .wrongRevision,
                message: "\(operation): another writer changed it first (wrong last sequence); read it again and retry"
            )
        }
        switch status {
        case NATS_NOT_FOUND:
            return NATSError(code: .notFound, message: "\(operation): not found")
        case NATS_NO_RESPONDERS, NATS_TIMEOUT, NATS_CONNECTION_CLOSED, NATS_CONNECTION_DISCONNECTED,
            NATS_STALE_CONNECTION, NATS_NOT_YET_CONNECTED:
            if status == NATS_CONNECTION_CLOSED {
                return NATSError(code: .closed, message: "\(operation): the connection is closed")
            }
            return NATSError(
                code: .unavailable,
                message: "\(operation): \(text); the cluster may be electing a leader or a node is down "
                    + "(check 'scripts/nats-cluster.sh status' or the servers' /jsz)",
                retryAfter: .seconds(2)
            )
        case NATS_CONNECTION_AUTH_FAILED, NATS_NOT_PERMITTED:
            return NATSError(
                code: .unauthorized,
                message: "\(operation): the servers refused the credentials (\(text)); check the NATS user and "
                    + "password file, the credentials file, or the client certificate (docs/scale-out.md#security)"
            )
        case NATS_SSL_ERROR:
            return NATSError(
                code: .connection,
                message: "\(operation): the TLS handshake failed (\(text)); check the certificate authorities file "
                    + "and that the servers' certificates name the host of the URL"
            )
        case NATS_NO_SERVER:
            return NATSError(
                code: .connection,
                message:
                    "\(operation): no server of the seed list answered; check the NATS URLs and that nats-server runs"
            )
        default:
            let suffix = jsError.rawValue == 0 ? "" : " (JetStream error \(jsError.rawValue))"
            return NATSError(
                code: .refused,
                message: "\(operation): \(text)\(suffix); check the stream and consumer configuration"
            )
        }
    }

    /// Throws the mapped error unless `status` is `NATS_OK`.
    static func check(
        _ status: natsStatus,
        jsError: jsErrCode = jsErrCode(rawValue: 0),
        operation: @autoclosure () -> String
    ) throws(NATSError) {
        if status != NATS_OK {
            throw from(status, jsError: jsError, operation: operation())
        }
    }
}
#endif

#if NATS
/// `value`, which libnats sets whenever it answers `NATS_OK`; an error if it did not.
func required<T>(_ value: T?, _ operation: @autoclosure () -> String) throws(NATSError) -> T {
    guard let value else {
        throw NATSError(code: .refused, message: "\(operation()): libnats answered without a result")
    }
    return value
}
#endif
