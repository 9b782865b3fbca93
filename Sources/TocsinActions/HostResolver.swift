// SPDX-License-Identifier: Apache-2.0

import Foundation
public import TocsinCore

#if canImport(Glibc)
import Glibc
#endif

/// Resolves host names with the system resolver on a dedicated thread, never on the cooperative
/// pool (`getaddrinfo` blocks for as long as DNS takes).
public enum HostResolver: Sendable {
    /// Every address `host` resolves to, or the resolver's error text when there is none.
    public static func resolve(_ host: String) async -> Result<[IPAddress], ResolutionFailure> {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: resolveBlocking(host))
            }
            thread.name = "tocsin-resolve"
            thread.start()
        }
    }

    /// The resolver's answer when it gave no address.
    public struct ResolutionFailure: Error, Sendable, Hashable {
        /// `getaddrinfo`'s message, such as "Name or service not known".
        public var reason: String
    }

    private static func resolveBlocking(_ host: String) -> Result<[IPAddress], ResolutionFailure> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0 else {
            return .failure(ResolutionFailure(reason: String(cString: gai_strerror(status))))
        }
        defer { freeaddrinfo(list) }
        var addresses: [IPAddress] = []
        var next = list
        while let entry = next {
            if let address = entry.pointee.ai_addr.flatMap(Self.address(of:)), !addresses.contains(address) {
                addresses.append(address)
            }
            next = entry.pointee.ai_next
        }
        return addresses.isEmpty ? .failure(ResolutionFailure(reason: "no address")) : .success(addresses)
    }

    private static func address(of socketAddress: UnsafeMutablePointer<sockaddr>) -> IPAddress? {
        switch Int32(socketAddress.pointee.sa_family) {
        case AF_INET:
            return socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                IPAddress(isV6: false, high: 0, low: UInt64(UInt32(bigEndian: pointer.pointee.sin_addr.s_addr)))
            }
        case AF_INET6:
            return socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                withUnsafeBytes(of: pointer.pointee.sin6_addr) { bytes in
                    let words = bytes.reduce(into: (UInt64(0), UInt64(0), 0)) { state, byte in
                        if state.2 < 8 {
                            state.0 = state.0 << 8 | UInt64(byte)
                        } else {
                            state.1 = state.1 << 8 | UInt64(byte)
                        }
                        state.2 += 1
                    }
                    return IPAddress(isV6: true, high: words.0, low: words.1)
                }
            }
        default:
            return nil
        }
    }
}
