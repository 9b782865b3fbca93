// SPDX-License-Identifier: Apache-2.0

import Foundation
import NIOCore
import NIOPosix

/// Real syslog senders for the listener tests: datagrams and TCP connections from a chosen
/// loopback address.
enum SyslogClient {
    /// A port that was free a moment ago (the kernel's pick).
    static func freePort(udp: Bool) async throws -> Int {
        let group = MultiThreadedEventLoopGroup.singleton
        let channel =
            udp
            ? try await DatagramBootstrap(group: group).bind(host: "127.0.0.1", port: 0).get()
            : try await ServerBootstrap(group: group).bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 0
        try await channel.close()
        return port
    }

    /// Sends each message as one datagram from `source` to `127.0.0.1:port`.
    static func sendUDP(_ messages: [[UInt8]], port: Int, from source: String = "127.0.0.1") async throws {
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: source, port: 0).get()
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: port)
        for message in messages {
            try await channel.writeAndFlush(AddressedEnvelope(remoteAddress: address, data: ByteBuffer(bytes: message)))
        }
        try await channel.close()
    }

    /// A TCP connection from `source` to `127.0.0.1:port`; `first`, when given, is written on the
    /// event loop the moment the connection is up, so a busy test process cannot delay it.
    static func connect(
        port: Int,
        from source: String = "127.0.0.1",
        sending first: [UInt8]? = nil
    ) async throws
        -> any Channel
    {
        // ServerProcess.start returns once the syslog listeners said they listen.
        try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(to: try SocketAddress(ipAddress: source, port: 0))
            .connect(host: "127.0.0.1", port: port)
            .flatMap { channel in
                guard let first else {
                    return channel.eventLoop.makeSucceededFuture(channel)
                }
                return channel.writeAndFlush(ByteBuffer(bytes: first)).map { channel }
            }
            .get()
    }

    /// Whether the server closes `channel` within `timeout` (a generous bound, not a measurement).
    static func isClosedByPeer(_ channel: any Channel, within timeout: Duration = .seconds(30)) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                (try? await channel.closeFuture.get()) != nil
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                // Lets the other task's wait end too (a future's wait is not cancellable).
                channel.close(promise: nil)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }
}
