// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// The addresses allowed to send syslog (`tocsin serve --syslog-allow`): anything else is dropped
/// before it is read, so a spoofed sshd line from an arbitrary host cannot put an address on the
/// blocklist.
///
/// An IPv4 sender seen on an IPv6 socket (`::ffff:192.0.2.1`) is matched as the IPv4 address.
public struct SyslogAllowList: Sendable, Hashable {
    /// The allowed blocks.
    public var ranges: [IPRange]

    /// Loopback only (`127.0.0.0/8` and `::1/128`): the default.
    public static let loopback = SyslogAllowList(ranges: [
        IPRange(isV6: false, prefixLength: 8, address: IPAddress(isV6: false, high: 0, low: 0x7F00_0000)),
        IPRange(address: IPAddress(isV6: true, high: 0, low: 1)),
    ])

    /// Creates a list of `ranges`.
    public init(ranges: [IPRange]) {
        self.ranges = ranges
    }

    /// Parses CIDR blocks (`10.0.0.0/8`, `2001:db8::/32`) or single addresses (`192.0.2.7`).
    ///
    /// - Throws: ``SyslogAllowList/ParseError`` naming the entry and what is wrong with it.
    public init(parsing entries: [String]) throws(ParseError) {
        var ranges: [IPRange] = []
        for entry in entries {
            let text = entry.trimmingSpaces
            if !text.contains("/"), let address = IPAddress.parse(text) {
                ranges.append(IPRange(address: address))
                continue
            }
            switch IPRange.parseCIDR(text, allowsSingleAddress: true) {
            case .success(let range):
                ranges.append(range)
            case .failure(let problem):
                throw ParseError(entry: text, message: problem.message)
            }
        }
        self.ranges = ranges
    }

    /// Why an entry of the list is not a CIDR block or an address.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        /// The entry as given.
        public var entry: String
        /// What is wrong with it.
        public var message: String

        /// `"entry": message`.
        public var description: String {
            "\"\(entry)\": \(message)"
        }
    }

    /// Whether `address` may send.
    public func allows(_ address: IPAddress) -> Bool {
        let address = address.unmappedIPv4
        return ranges.contains { $0.contains(address) }
    }

    /// Whether only loopback senders are allowed (a non-loopback listener then receives nothing).
    public var isLoopbackOnly: Bool {
        ranges.allSatisfy { range in
            Self.loopback.ranges.contains { $0.isV6 == range.isV6 && $0.prefixLength <= range.prefixLength }
                && Self.loopback.allows(IPAddress(isV6: range.isV6, high: range.high, low: range.low))
        }
    }
}

extension IPAddress {
    /// The IPv4 address of an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`), else the address itself.
    var unmappedIPv4: IPAddress {
        guard isV6, high == 0, low >> 32 == 0xFFFF else {
            return self
        }
        return IPAddress(isV6: false, high: 0, low: low & 0xFFFF_FFFF)
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        var text = self[...]
        while text.first == " " {
            text = text.dropFirst()
        }
        while text.last == " " {
            text = text.dropLast()
        }
        return String(text)
    }
}
