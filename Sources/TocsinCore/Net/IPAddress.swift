// SPDX-License-Identifier: Apache-2.0

/// An IPv4 or IPv6 address as 128 bits plus its family; the families never compare equal.
///
/// Parsing is strict by default (spec section 6): a dotted quad with octets 0–255 and no leading
/// zeros, or IPv6 hex groups with at most one `::`; no zones, ports, prefixes, spaces or embedded
/// IPv4. Event patterns read IPv4 parts written with leading zeros as decimal numbers, as
/// event-ruler does (`075.050.255.67` is `75.50.255.67`): ``parse(_:allowsLeadingZeros:)``.
public struct IPAddress: Sendable, Hashable {
    /// Whether this is an IPv6 address.
    public var isV6: Bool
    /// The upper 64 bits (zero for IPv4).
    public var high: UInt64
    /// The lower 64 bits (the IPv4 address in the low 32).
    public var low: UInt64

    /// Creates an address from its bits.
    public init(isV6: Bool, high: UInt64, low: UInt64) {
        self.isV6 = isV6
        self.high = high
        self.low = low
    }

    /// Parses `text`, when it is an address literal.
    ///
    /// - Parameters:
    ///   - text: The address text.
    ///   - allowsLeadingZeros: Read IPv4 parts such as `075` as decimal numbers (at most 15
    ///     characters in all, as Java's `InetAddress` reads them) instead of refusing them.
    /// - Returns: The address, or `nil`.
    public static func parse(_ text: String, allowsLeadingZeros: Bool = false) -> IPAddress? {
        let count = text.utf8.count
        guard count >= 2, count <= 39 else {
            return nil
        }
        if let result = text.utf8.withContiguousStorageIfAvailable({
            parse(bytes: $0, allowsLeadingZeros: allowsLeadingZeros)
        }) {
            return result
        }
        return Array(text.utf8).withUnsafeBufferPointer { parse(bytes: $0, allowsLeadingZeros: allowsLeadingZeros) }
    }

    /// Parses UTF-8 bytes, when they are an address literal.
    ///
    /// - Parameters:
    ///   - bytes: The address text.
    ///   - allowsLeadingZeros: Read IPv4 parts such as `075` as decimal numbers.
    /// - Returns: The address, or `nil`.
    public static func parse(bytes: UnsafeBufferPointer<UInt8>, allowsLeadingZeros: Bool = false) -> IPAddress? {
        var sawColon = false
        for byte in bytes where byte == UInt8(ascii: ":") {
            sawColon = true
            break
        }
        if sawColon {
            return parseV6(bytes)
        }
        return parseV4(bytes, allowsLeadingZeros: allowsLeadingZeros)
    }

    /// Four dot-separated decimal parts, each at most 255: without leading zeros, or with them and
    /// 15 characters in all.
    private static func parseV4(_ bytes: UnsafeBufferPointer<UInt8>, allowsLeadingZeros: Bool) -> IPAddress? {
        guard !allowsLeadingZeros || bytes.count <= 15 else {
            return nil
        }
        var value: UInt64 = 0
        var octet = 0
        var digits = 0
        var octets = 0
        var leadingZero = false
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                guard digits > 0, octets < 3 else {
                    return nil
                }
                value = value << 8 | UInt64(octet)
                octets += 1
                octet = 0
                digits = 0
                continue
            }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else {
                return nil
            }
            if digits == 0 {
                leadingZero = byte == UInt8(ascii: "0")
            } else if leadingZero && !allowsLeadingZeros {
                return nil
            }
            octet = octet * 10 + Int(byte - UInt8(ascii: "0"))
            digits += 1
            guard octet <= 255, allowsLeadingZeros || digits <= 3 else {
                return nil
            }
        }
        guard digits > 0, octets == 3 else {
            return nil
        }
        return IPAddress(isV6: false, high: 0, low: value << 8 | UInt64(octet))
    }

    private static func parseV6(_ bytes: UnsafeBufferPointer<UInt8>) -> IPAddress? {
        var head = UInt128Parts()
        var tail = UInt128Parts()
        var headGroups = 0
        var tailGroups = 0
        var compressed = false
        var group: UInt64 = 0
        var digits = 0
        var index = 0
        let count = bytes.count
        if count >= 2, bytes[0] == UInt8(ascii: ":"), bytes[1] == UInt8(ascii: ":") {
            compressed = true
            index = 2
        } else if bytes[0] == UInt8(ascii: ":") {
            return nil
        }
        func finishGroup() -> Bool {
            guard digits > 0 else {
                return false
            }
            if compressed {
                tail.append(group)
                tailGroups += 1
            } else {
                head.append(group)
                headGroups += 1
            }
            group = 0
            digits = 0
            return true
        }
        while index < count {
            let byte = bytes[index]
            if byte == UInt8(ascii: ":") {
                guard finishGroup() else {
                    return nil
                }
                if index + 1 < count, bytes[index + 1] == UInt8(ascii: ":") {
                    guard !compressed else {
                        return nil
                    }
                    compressed = true
                    index += 2
                    if index == count {
                        break
                    }
                    continue
                }
                index += 1
                guard index < count else {
                    return nil
                }
                continue
            }
            guard let nibble = hexValue(byte), digits < 4 else {
                return nil
            }
            group = group << 4 | UInt64(nibble)
            digits += 1
            index += 1
        }
        if digits > 0 {
            _ = finishGroup()
        }
        let groups = headGroups + tailGroups
        guard compressed ? groups <= 7 : groups == 8 else {
            return nil
        }
        head.shiftLeft(groups: 8 - headGroups)
        return IPAddress(isV6: true, high: head.high | tail.high, low: head.low | tail.low)
    }

    /// The canonical text: a dotted quad, or RFC 5952 IPv6 (lower-case hex, the longest run of two
    /// or more zero groups as `::`).
    public var text: String {
        guard isV6 else {
            return (0..<4).map { String(low >> UInt64(24 - $0 * 8) & 0xFF) }.joined(separator: ".")
        }
        let groups = (0..<8).map { index -> UInt16 in
            let word = index < 4 ? high : low
            return UInt16(truncatingIfNeeded: word >> UInt64(48 - (index % 4) * 16))
        }
        var bestStart = -1
        var bestLength = 1
        var index = 0
        while index < 8 {
            guard groups[index] == 0 else {
                index += 1
                continue
            }
            var end = index
            while end < 8, groups[end] == 0 {
                end += 1
            }
            if end - index > bestLength {
                bestStart = index
                bestLength = end - index
            }
            index = end
        }
        let hex = groups.map { String($0, radix: 16) }
        guard bestStart >= 0 else {
            return hex.joined(separator: ":")
        }
        return hex[..<bestStart].joined(separator: ":") + "::" + hex[(bestStart + bestLength)...].joined(separator: ":")
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

/// 128 bits as two words, filled 16 bits at a time.
private struct UInt128Parts {
    var high: UInt64 = 0
    var low: UInt64 = 0

    mutating func append(_ group: UInt64) {
        high = high << 16 | low >> 48
        low = low << 16 | group
    }

    mutating func shiftLeft(groups: Int) {
        for _ in 0..<groups {
            append(0)
        }
    }
}

/// A CIDR block (or one address, from an IP-literal string) of one family.
public struct IPRange: Sendable, Hashable {
    /// Whether this is an IPv6 block.
    public var isV6: Bool
    /// The number of leading bits that are fixed.
    public var prefixLength: Int
    /// The upper 64 bits of the network address.
    public var high: UInt64
    /// The lower 64 bits of the network address.
    public var low: UInt64

    /// The block of one address.
    public init(address: IPAddress) {
        self.init(isV6: address.isV6, prefixLength: address.isV6 ? 128 : 32, address: address)
    }

    /// The block of `prefixLength` bits around `address`, with host bits cleared.
    public init(isV6: Bool, prefixLength: Int, address: IPAddress) {
        self.isV6 = isV6
        self.prefixLength = prefixLength
        let masks = IPRange.masks(isV6: isV6, prefixLength: prefixLength)
        self.high = address.high & masks.high
        self.low = address.low & masks.low
    }

    /// Whether `address` is of the same family and inside the block.
    public func contains(_ address: IPAddress) -> Bool {
        guard address.isV6 == isV6 else {
            return false
        }
        let masks = IPRange.masks(isV6: isV6, prefixLength: prefixLength)
        return address.high & masks.high == high && address.low & masks.low == low
    }

    /// The canonical text: `address/length`, or just the address for a single-address block.
    public var text: String {
        let address = IPAddress(isV6: isV6, high: high, low: low).text
        return prefixLength == (isV6 ? 128 : 32) ? address : "\(address)/\(prefixLength)"
    }

    static func masks(isV6: Bool, prefixLength: Int) -> (high: UInt64, low: UInt64) {
        let bits = isV6 ? prefixLength : prefixLength + 96
        let high: UInt64 = bits >= 64 ? .max : (bits == 0 ? 0 : .max << UInt64(64 - bits))
        let low: UInt64 = bits <= 64 ? 0 : (bits >= 128 ? .max : .max << UInt64(128 - bits))
        return (high, low)
    }

    /// Parses `a.b.c.d/n` or an IPv6 prefix; the error says what is wrong.
    ///
    /// - Parameters:
    ///   - text: The CIDR text.
    ///   - allowsSingleAddress: Accept `/32` and `/128`, which event patterns refuse (as event-ruler
    ///     does) and the blocklist accepts.
    ///   - allowsLeadingZeros: Read IPv4 parts such as `075` as decimal numbers (event patterns).
    /// - Returns: The block, or the problem.
    public static func parseCIDR(
        _ text: String,
        allowsSingleAddress: Bool = false,
        allowsLeadingZeros: Bool = false
    ) -> Result<IPRange, CIDRProblem> {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            return .failure(.slashCount)
        }
        let maskText = parts[1]
        guard !maskText.isEmpty, maskText.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
            maskText.count == 1 || maskText.first != "0", maskText.count <= 3, let mask = Int(maskText)
        else {
            return .failure(.maskNotInteger)
        }
        guard let address = IPAddress.parse(String(parts[0]), allowsLeadingZeros: allowsLeadingZeros) else {
            return .failure(.badAddress)
        }
        let maximum = (address.isV6 ? 127 : 31) + (allowsSingleAddress ? 1 : 0)
        guard mask <= maximum else {
            return .failure(.maskTooLarge(family: address.isV6 ? "IPv6" : "IPv4", maximum: maximum))
        }
        return .success(IPRange(isV6: address.isV6, prefixLength: mask, address: address))
    }

    /// Why a CIDR was rejected.
    public enum CIDRProblem: Error, Equatable {
        /// Not exactly one `/`.
        case slashCount
        /// The mask is not a plain decimal integer.
        case maskNotInteger
        /// The address is not an IP literal.
        case badAddress
        /// The mask is larger than the family allows.
        case maskTooLarge(family: String, maximum: Int)

        /// What is wrong and what would be valid.
        public var message: String {
            switch self {
            case .slashCount: "exactly one '/' is required, as in \"10.0.0.0/8\""
            case .maskNotInteger: "the mask after '/' must be a decimal integer without sign or leading zeros"
            case .badAddress:
                "the address must be an IPv4 dotted quad or an IPv6 literal (no hostnames, zones or spaces)"
            case .maskTooLarge(let family, let maximum):
                "\(family) mask bits must be at most \(maximum); for one address write the address as a string"
            }
        }
    }
}
