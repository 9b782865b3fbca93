// SPDX-License-Identifier: Apache-2.0

import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import TocsinCore
import TocsinSources

/// The syslog TCP listener: RFC 6587 octet counting or newline framing, per connection.
///
/// Each read's complete messages are appended together before the next read, so a sender faster
/// than the log is slowed down by TCP flow control rather than dropped. A framing error closes
/// that connection only.
struct SyslogTCPListener: Service {
    let host: String
    let port: Int
    let ingest: SyslogIngest
    let logger: Logger
    let onListening: @Sendable (Int) async -> Void

    func run() async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        await onListening(server.channel.localAddress?.port ?? port)
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                try await server.executeThenClose { connections in
                    for try await connection in connections {
                        group.addTask { await serve(connection) }
                    }
                }
            }
        } onGracefulShutdown: {
            server.channel.close(promise: nil)
        }
    }

    private func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async {
        let peer = "\(connection.channel.remoteAddress.map { "\($0)" } ?? "-")"
        do {
            try await connection.executeThenClose { inbound, _ in
                try await cancelWhenGracefulShutdown {
                    var framer = SyslogFramer()
                    for try await chunk in inbound {
                        let messages = try framer.append(chunk.readableBytesView)
                        if !messages.isEmpty {
                            try await ingest.ingest(messages, peer: peer)
                        }
                    }
                    if let last = framer.finish() {
                        try await ingest.ingest([last], peer: peer)
                    }
                }
            }
        } catch let error as SourceError {
            logger.warning(
                "Closed a syslog connection on a framing error.",
                metadata: ["peer": "\(peer)", "error": "\(error)"]
            )
        } catch {
            logger.debug("A syslog connection ended.", metadata: ["peer": "\(peer)", "error": "\(error)"])
        }
    }
}
