// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// What kind of entry a threat-intelligence indicator is; its raw value is the `type` an event's
/// enrichment names.
public enum IndicatorType: String, Sendable, Hashable, CaseIterable {
    /// One IPv4 or IPv6 address.
    case ip
    /// A CIDR block.
    case cidr
    /// A domain, matching itself and every name below it.
    case domain
    /// A file hash: MD5, SHA-1 or SHA-256 as 32, 40 or 64 hex digits.
    case hash
}

/// One entry of a threat-intelligence list, read from its line.
public enum Indicator: Sendable, Hashable {
    /// One address.
    case address(IPAddress)
    /// A CIDR block (host bits as written are cleared).
    case network(IPRange)
    /// A domain in lower case, without a trailing dot.
    case domain(String)
    /// A hash in lower-case hex.
    case hash(String)

    /// The kind of indicator.
    public var type: IndicatorType {
        switch self {
        case .address: .ip
        case .network: .cidr
        case .domain: .domain
        case .hash: .hash
        }
    }

    /// Reads one list entry: an IP address, a CIDR block (`/32` and `/128` included), a hash (32,
    /// 40 or 64 hex digits, either case) or a domain of at least two labels (either case, an
    /// optional trailing dot).
    ///
    /// - Parameter text: The entry, without surrounding blanks or comment; the initialiser fails
    ///   when it is none of these.
    public init?(entry text: String) {
        if text.utf8.contains(UInt8(ascii: "/")) {
            guard case .success(let range) = IPRange.parseCIDR(text, allowsSingleAddress: true) else {
                return nil
            }
            self = .network(range)
            return
        }
        var text = text
        guard let value = text.withUTF8({ ObservedValue.classifyEntry($0) }) else {
            return nil
        }
        switch value {
        case .address(let address): self = .address(address)
        case .domain(let domain): self = .domain(domain)
        case .hash(let hash): self = .hash(hash)
        }
    }
}
