// SPDX-License-Identifier: Apache-2.0

import AsyncHTTPClient
import NIOCore

/// HTTP clients that connect a host name to one checked address, keeping the name for the Host
/// header and for TLS (SNI and certificate verification).
///
/// async-http-client resolves names itself when it connects, so a name checked beforehand could
/// resolve to another address by then (DNS rebinding). A client whose `dnsOverride` maps the name
/// to the checked address connects there and nowhere else; its pooled connections are reused only
/// while the name keeps resolving to that address. At most `capacity` idle clients are kept.
actor PinnedClients {
    private struct Entry {
        var client: HTTPClient
        var inFlight = 0
        var lastUse: UInt64
    }

    private let eventLoopGroup: any EventLoopGroup
    private let capacity: Int
    private var entries: [String: Entry] = [:]
    private var uses: UInt64 = 0

    init(eventLoopGroup: any EventLoopGroup, capacity: Int = 32) {
        self.eventLoopGroup = eventLoopGroup
        self.capacity = capacity
    }

    /// A client pinned to `address` for `host`; give it back with ``release(host:address:)``.
    func acquire(host: String, address: String) async -> HTTPClient {
        let key = host + "\u{0}" + address
        uses += 1
        if var entry = entries[key] {
            entry.inFlight += 1
            entry.lastUse = uses
            entries[key] = entry
            return entry.client
        }
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        configuration.dnsOverride = [host: address]
        let client = HTTPClient(eventLoopGroupProvider: .shared(eventLoopGroup), configuration: configuration)
        entries[key] = Entry(client: client, inFlight: 1, lastUse: uses)
        await evictIdle()
        return client
    }

    /// Marks one use of the client for `host` and `address` finished.
    func release(host: String, address: String) {
        entries[host + "\u{0}" + address]?.inFlight -= 1
    }

    /// Shuts every client down.
    func shutdown() async {
        let clients = entries.values.map(\.client)
        entries = [:]
        for client in clients {
            try? await client.shutdown()
        }
    }

    /// Shuts down the least recently used idle clients beyond the capacity.
    private func evictIdle() async {
        while entries.count > capacity {
            guard
                let victim = entries.filter({ $0.value.inFlight == 0 }).min(by: { $0.value.lastUse < $1.value.lastUse })
            else {
                return
            }
            entries[victim.key] = nil
            try? await victim.value.client.shutdown()
        }
    }
}
