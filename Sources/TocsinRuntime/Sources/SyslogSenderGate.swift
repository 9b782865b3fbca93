// SPDX-License-Identifier: Apache-2.0

import Logging
import NIOCore
import Synchronization
import TocsinCore
import TocsinMetrics
import TocsinSources

/// Admits syslog senders on the allow list and counts the rest, logging the drops at most once a
/// second per reason (the line says how many it stands for; never what was sent).
final class SyslogSenderGate: Sendable {
    /// Why a datagram or connection was dropped.
    enum Drop: String, Sendable {
        /// The sender is not on `--syslog-allow`.
        case notAllowed = "not-allowed"
        /// `--syslog-max-connections` connections were open already.
        case connectionCap = "connection-cap"
    }

    private let allowList: SyslogAllowList
    private let logger: Logger
    private let transport: String
    private let dropped = Atomic<Int>(0)
    private let throttles = Mutex((notAllowed: RefusalThrottle(), connectionCap: RefusalThrottle()))
    private let metrics: SyslogMetrics

    init(
        allowList: SyslogAllowList,
        transport: String,
        logger: Logger,
        metrics: SyslogMetrics = TocsinMetrics.disabled().syslog
    ) {
        self.metrics = metrics
        self.allowList = allowList
        self.transport = transport
        self.logger = logger
    }

    /// How many datagrams or connections were dropped since start.
    var droppedCount: Int {
        dropped.load(ordering: .relaxed)
    }

    /// Whether `peer` may send; a sender that may not is counted (and logged, throttled).
    func admits(_ peer: SocketAddress?) -> Bool {
        if let address = peer.flatMap(Self.address), allowList.allows(address) {
            return true
        }
        drop(.notAllowed, peer: peer)
        return false
    }

    /// Counts a drop and writes the throttled log line when one is due.
    func drop(_ reason: Drop, peer: SocketAddress?) {
        let total = dropped.add(1, ordering: .relaxed).newValue
        metrics.dropped(reason == .notAllowed ? .notAllowed : .connectionCap)
        let count = throttles.withLock { throttles in
            switch reason {
            case .notAllowed: throttles.notAllowed.refused(at: .now)
            case .connectionCap: throttles.connectionCap.refused(at: .now)
            }
        }
        guard let count else {
            return
        }
        let what = transport == "udp" ? "datagrams" : "connections"
        logger.warning(
            reason == .notAllowed
                ? "Dropped syslog \(what) from senders outside --syslog-allow."
                : "Refused syslog connections over --syslog-max-connections.",
            metadata: [
                "syslog.transport": "\(transport)", "syslog.dropped": "\(count)", "syslog.dropped.total": "\(total)",
                "syslog.drop.reason": "\(reason.rawValue)", "peer": "\(peer.map { "\($0)" } ?? "-")",
            ]
        )
    }

    /// The sender's IP address; an IPv4 sender on an IPv6 socket (`::ffff:a.b.c.d`) as IPv4.
    static func address(_ socket: SocketAddress) -> IPAddress? {
        guard let text = socket.ipAddress else {
            return nil
        }
        let mapped = "::ffff:"
        if case .v6 = socket, text.lowercased().hasPrefix(mapped), text.contains(".") {
            return IPAddress.parse(String(text.dropFirst(mapped.count)))
        }
        return IPAddress.parse(text)
    }
}
