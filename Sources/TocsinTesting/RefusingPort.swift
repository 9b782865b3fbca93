// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif

/// A loopback TCP port that refuses connections.
///
/// It is bound, so no other test can take it, but not listening. A port a closed listener gave up
/// can be taken by another test's server at once.
public final class RefusingPort: Sendable {
    /// The port (chosen by the kernel).
    public let port: Int
    private let descriptor: Int32

    /// Binds a port on 127.0.0.1.
    ///
    /// - Throws: ``RefusingPortUnavailable`` when no socket can be bound.
    public init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else {
            throw RefusingPortUnavailable()
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard bound else {
            Glibc.close(descriptor)
            throw RefusingPortUnavailable()
        }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit {
        Glibc.close(descriptor)
    }
}

/// No loopback port could be bound.
public struct RefusingPortUnavailable: Error, Sendable, CustomStringConvertible {
    /// What the test log shows.
    public var description: String { "no loopback TCP port could be bound" }
}
