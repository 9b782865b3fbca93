// SPDX-License-Identifier: Apache-2.0

import HummingbirdCore
import Logging
import NIOCore
import NIOSSL
import NIOTLS
import SwiftASN1
import X509

/// The names of the verified client certificate of the connection a request arrived on.
enum PeerCertificate {
    /// Bound by ``PeerCertificateChannel`` for the whole life of a mutual-TLS connection (every
    /// request on it is handled in that connection's task); `nil` without mutual TLS.
    @TaskLocal static var names: [String]?

    /// The subject's common names, then the DNS and URI subject alternative names.
    static func names(of certificate: NIOSSLCertificate) -> [String] {
        guard let der = try? certificate.toDERBytes(), let parsed = try? Certificate(derEncoded: der) else {
            return []
        }
        var names: [String] = []
        for relativeName in parsed.subject {
            for attribute in relativeName where attribute.type == .RDNAttributeType.commonName {
                if let name = String(attribute.value) {
                    names.append(name)
                }
            }
        }
        if let alternatives = try? parsed.extensions.subjectAlternativeNames {
            for name in alternatives {
                switch name {
                case .dnsName(let name), .uniformResourceIdentifier(let name):
                    names.append(name)
                default:
                    continue
                }
            }
        }
        return names
    }
}

/// Wraps the HTTP/1 child channel of a mutual-TLS server: waits for the handshake, reads the
/// verified peer certificate's names once per connection, and serves the connection's requests
/// with them bound to ``PeerCertificate/names``, where ``TocsinRequestContext`` picks them up.
///
/// Only installed when client certificates are required; plain HTTP and HTTPS without client
/// certificates do not pay for it.
struct PeerCertificateChannel<Base: ServerChildChannel>: ServerChildChannel {
    struct Value: ServerChildChannelValue {
        let base: Base.Value
        let names: EventLoopFuture<[String]?>

        var channel: any Channel {
            base.channel
        }
    }

    let base: Base

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture { () throws -> EventLoopFuture<[String]?> in
            let promise = channel.eventLoop.makePromise(of: [String]?.self)
            do {
                try channel.pipeline.syncOperations.addHandler(PeerCertificateHandler(promise: promise))
            } catch {
                promise.succeed(nil)
                throw error
            }
            return promise.futureResult
        }.flatMap { names in
            base.setup(channel: channel, logger: logger).map { Value(base: $0, names: names) }
        }
    }

    func handle(value: Value, logger: Logger) async {
        // The handshake has verified the chain against the client CA by the time names arrive;
        // a failed handshake closes the channel and yields nil, so no request is ever served.
        let names = (try? await value.names.get()) ?? nil
        await PeerCertificate.$names.withValue(names) {
            await base.handle(value: value.base, logger: logger)
        }
    }
}

/// Sits after the TLS handler and completes `promise` with the peer certificate's names when
/// the handshake completes, or with `nil` when the connection ends first.
private final class PeerCertificateHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private var promise: EventLoopPromise<[String]?>?

    init(promise: EventLoopPromise<[String]?>) {
        self.promise = promise
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted = event {
            let certificate = try? context.pipeline.syncOperations.nioSSL_peerCertificate()
            complete(certificate.map(PeerCertificate.names(of:)))
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        complete(nil)
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        complete(nil)
    }

    private func complete(_ names: [String]?) {
        promise?.succeed(names)
        promise = nil
    }
}
