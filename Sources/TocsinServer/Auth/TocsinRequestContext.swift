// SPDX-License-Identifier: Apache-2.0

public import Hummingbird
public import NIOCore

/// The request context of every API route: who the request acts as, and where it came from.
public struct TocsinRequestContext: RequestContext, RemoteAddressRequestContext {
    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// The authenticated caller, set by the authentication middleware before any `/v1` handler runs.
    public var principal: Principal?
    /// The peer's address.
    public let remoteAddress: SocketAddress?
    /// With mutual TLS, the verified client certificate's subject common names, then its DNS and
    /// URI subject alternative names (read once per connection, after the handshake); `nil`
    /// when the connection presented no certificate or TLS is off.
    public let certificateNames: [String]?

    /// Creates the context for a request arriving on `source.channel`.
    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
        self.certificateNames = PeerCertificate.names
    }

    /// The peer's IP address as text (no port), or `unknown`.
    public var remoteIP: String {
        remoteAddress?.ipAddress ?? "unknown"
    }

    /// The authenticated caller; handlers behind the authentication middleware always have one.
    var caller: Principal {
        principal ?? Principal(name: "unauthenticated", permissions: [])
    }
}
