// SPDX-License-Identifier: Apache-2.0

/// What kind of network an address belongs to, for the outbound network policy.
///
/// IPv6 addresses that carry an IPv4 address (IPv4-mapped `::ffff:a.b.c.d`, IPv4-compatible
/// `::a.b.c.d`, NAT64 `64:ff9b::/96` and 6to4 `2002::/16`) are classified by the IPv4 address they
/// reach, so `::ffff:127.0.0.1` is loopback.
public enum AddressClass: String, Sendable, Hashable, CaseIterable {
    /// Routable on the internet.
    case publicInternet = "public"
    /// `0.0.0.0/8` and `::`: "this host", which reaches the local machine.
    case unspecified
    /// `127.0.0.0/8` and `::1`.
    case loopback
    /// `169.254.0.0/16` (cloud metadata services live here) and `fe80::/10`.
    case linkLocal = "link-local"
    /// `10.0.0.0/8`, `172.16.0.0/12` and `192.168.0.0/16` (RFC 1918).
    case privateNetwork = "private"
    /// `100.64.0.0/10`, carrier-grade NAT (RFC 6598).
    case sharedAddressSpace = "shared-address-space"
    /// `fc00::/7` (RFC 4193) and the deprecated site-local `fec0::/10`.
    case uniqueLocal = "unique-local"
    /// `224.0.0.0/4` and `ff00::/8`.
    case multicast
    /// `240.0.0.0/4` (with the broadcast address) and `192.0.0.0/24`.
    case reserved

    /// The class in words, for messages: "a loopback address".
    public var phrase: String {
        switch self {
        case .publicInternet: "a public address"
        case .unspecified: "an unspecified address (0.0.0.0 or ::, which reaches this host)"
        case .loopback: "a loopback address"
        case .linkLocal: "a link-local address"
        case .privateNetwork: "a private-network address"
        case .sharedAddressSpace: "a carrier-grade NAT address"
        case .uniqueLocal: "a unique-local address"
        case .multicast: "a multicast address"
        case .reserved: "a reserved address"
        }
    }

    /// The class of `address`.
    public static func of(_ address: IPAddress) -> AddressClass {
        if let embedded = embeddedIPv4(address) {
            return of(embedded)
        }
        return address.isV6 ? ofV6(high: address.high, low: address.low) : ofV4(UInt32(truncatingIfNeeded: address.low))
    }

    /// The IPv4 address an IPv6 address carries and reaches, if it is of a form that does.
    public static func embeddedIPv4(_ address: IPAddress) -> IPAddress? {
        guard address.isV6 else {
            return nil
        }
        let low32 = address.low & 0xFFFF_FFFF
        let v4 = IPAddress(isV6: false, high: 0, low: low32)
        if address.high == 0, address.low >> 32 == 0xFFFF {
            return v4
        }
        // IPv4-compatible (::a.b.c.d), but not :: and ::1 themselves.
        if address.high == 0, address.low >> 32 == 0, low32 > 1 {
            return v4
        }
        if address.high == 0x0064_FF9B_0000_0000, address.low >> 32 == 0 {
            return v4
        }
        if address.high >> 48 == 0x2002 {
            return IPAddress(isV6: false, high: 0, low: (address.high >> 16) & 0xFFFF_FFFF)
        }
        return nil
    }

    private static func ofV4(_ value: UInt32) -> AddressClass {
        func within(_ network: UInt32, _ length: UInt32) -> Bool {
            value >> (32 - length) == network >> (32 - length)
        }
        switch true {
        case within(0x0000_0000, 8): return .unspecified
        case within(0x7F00_0000, 8): return .loopback
        case within(0xA9FE_0000, 16): return .linkLocal
        case within(0x0A00_0000, 8), within(0xAC10_0000, 12), within(0xC0A8_0000, 16): return .privateNetwork
        case within(0x6440_0000, 10): return .sharedAddressSpace
        case within(0xE000_0000, 4): return .multicast
        case within(0xF000_0000, 4), within(0xC000_0000, 24): return .reserved
        default: return .publicInternet
        }
    }

    private static func ofV6(high: UInt64, low: UInt64) -> AddressClass {
        if high == 0, low == 0 {
            return .unspecified
        }
        if high == 0, low == 1 {
            return .loopback
        }
        let top16 = high >> 48
        switch true {
        case top16 & 0xFFC0 == 0xFE80: return .linkLocal
        case top16 & 0xFFC0 == 0xFEC0, top16 & 0xFE00 == 0xFC00: return .uniqueLocal
        case top16 & 0xFF00 == 0xFF00: return .multicast
        default: return .publicInternet
        }
    }
}
