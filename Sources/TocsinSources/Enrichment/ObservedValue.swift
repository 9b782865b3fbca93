// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// What one string value of an event is, for threat-intelligence lookups: an IP address, a domain
/// or a hash.
///
/// Classification is cheap and byte-level, and it never allocates for a value that is none of
/// these. An IP literal is an address; 32, 40 or 64 hex digits are a hash (compared in lower
/// case); a URL gives its host (an address or a domain), an e-mail address its domain, and a
/// value shaped like a domain (at least two labels of letters, digits, `-` and `_`, the last one
/// alphabetic or `xn--`) is a domain, in lower case without a trailing dot.
public enum ObservedValue: Sendable, Hashable {
    /// An IP literal, or the IP host of a URL.
    case address(IPAddress)
    /// A domain in lower case: the value itself, a URL's host or an e-mail address's domain.
    case domain(String)
    /// A hash in lower-case hex.
    case hash(String)

    /// Which kinds of values are worth classifying: the kinds the loaded lists can match.
    public struct Kinds: OptionSet, Sendable, Hashable {
        /// The raw bits.
        public let rawValue: UInt8

        /// Creates a set from its bits.
        public init(rawValue: UInt8) {
            self.rawValue = rawValue
        }

        /// IP addresses (for `ip` and `cidr` indicators).
        public static let addresses = Kinds(rawValue: 1)
        /// Domains.
        public static let domains = Kinds(rawValue: 2)
        /// Hashes.
        public static let hashes = Kinds(rawValue: 4)
        /// Every kind.
        public static let all: Kinds = [.addresses, .domains, .hashes]
    }

    /// Values longer than this (in UTF-8 bytes) are not examined.
    public static let maxBytes = 2048

    /// Classifies an event's string value.
    ///
    /// - Parameters:
    ///   - text: The value.
    ///   - kinds: The kinds worth finding; others are not looked for.
    /// - Returns: What the value is, or `nil` when it is none of the kinds asked for.
    public static func classify(_ text: String, kinds: Kinds = .all) -> ObservedValue? {
        guard !kinds.isEmpty, text.utf8.count >= 2, text.utf8.count <= maxBytes else {
            return nil
        }
        var text = text
        return text.withUTF8 { classify(utf8: $0, kinds: kinds) }
    }

    /// Classifies a value given as UTF-8 bytes (see ``classify(_:kinds:)``).
    static func classify(utf8 bytes: UnsafeBufferPointer<UInt8>, kinds: Kinds) -> ObservedValue? {
        let count = bytes.count
        guard !kinds.isEmpty, count >= 2, count <= maxBytes else {
            return nil
        }
        // One branch-free pass decides which shapes are possible; most values (words, numbers,
        // times) are none.
        var classes: UInt8 = 0
        byteClasses.withUnsafeBufferPointer { table in
            for byte in bytes {
                classes |= table[Int(byte)]
            }
        }
        let hasDot = classes & ByteClass.dot != 0
        let hasColon = classes & ByteClass.colon != 0
        let hasBlank = classes & ByteClass.blank != 0
        if classes & ByteClass.nonHex == 0 && (count == 32 || count == 40 || count == 64) {
            return kinds.contains(.hashes) ? .hash(lowercased(bytes)) : nil
        }
        guard hasDot || hasColon else {
            return nil
        }
        if kinds.contains(.addresses), count <= 39, !hasBlank, let address = IPAddress.parse(bytes: bytes) {
            return .address(address)
        }
        if hasColon, let start = authorityStart(bytes) {
            return host(UnsafeBufferPointer(rebasing: bytes[start...]), kinds: kinds)
        }
        guard kinds.contains(.domains), !hasBlank else {
            return nil
        }
        if classes & ByteClass.at != 0, let lastAt = bytes.lastIndex(of: UInt8(ascii: "@")) {
            // An e-mail address: a non-empty local part.
            guard lastAt > 0 else {
                return nil
            }
            return domain(UnsafeBufferPointer(rebasing: bytes[(lastAt + 1)...])).map { .domain($0) }
        }
        return domain(bytes).map { .domain($0) }
    }

    /// Classifies a list entry: an IP literal, a hash or a domain (never a URL or an e-mail address).
    static func classifyEntry(_ bytes: UnsafeBufferPointer<UInt8>) -> ObservedValue? {
        let count = bytes.count
        guard count >= 2, count <= 255 else {
            return nil
        }
        if (count == 32 || count == 40 || count == 64) && bytes.allSatisfy({ Hex.value(of: $0) != nil }) {
            return .hash(lowercased(bytes))
        }
        if count <= 39, let address = IPAddress.parse(bytes: bytes) {
            return .address(address)
        }
        return domain(bytes).map { .domain($0) }
    }

    /// Where a URL's authority starts (after `scheme://`), or `nil` when the value is no URL.
    private static func authorityStart(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let first = bytes.first, isLetter(first) else {
            return nil
        }
        var index = 1
        while index < min(bytes.count, 32) {
            let byte = bytes[index]
            if byte == UInt8(ascii: ":") {
                guard index + 2 < bytes.count, bytes[index + 1] == UInt8(ascii: "/"),
                    bytes[index + 2] == UInt8(ascii: "/")
                else {
                    return nil
                }
                return index + 3
            }
            guard
                isLetter(byte) || isDigit(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")
                    || byte == UInt8(ascii: ".")
            else {
                return nil
            }
            index += 1
        }
        return nil
    }

    /// The host of a URL's authority (`user@host:port`, `[v6]:port`), as an address or a domain.
    private static func host(_ authority: UnsafeBufferPointer<UInt8>, kinds: Kinds) -> ObservedValue? {
        var stop =
            authority.firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }
            ?? authority.count
        var start = 0
        if let at = authority[..<stop].lastIndex(of: UInt8(ascii: "@")) {
            start = at + 1
        }
        guard start < stop else {
            return nil
        }
        if authority[start] == UInt8(ascii: "[") {
            guard kinds.contains(.addresses), let close = authority[start..<stop].firstIndex(of: UInt8(ascii: "]"))
            else {
                return nil
            }
            return IPAddress.parse(bytes: UnsafeBufferPointer(rebasing: authority[(start + 1)..<close])).map {
                .address($0)
            }
        }
        if let colon = authority[start..<stop].lastIndex(of: UInt8(ascii: ":")),
            authority[(colon + 1)..<stop].allSatisfy(isDigit)
        {
            stop = colon
        }
        let host = UnsafeBufferPointer(rebasing: authority[start..<stop])
        if kinds.contains(.addresses), host.count >= 2, host.count <= 39, let address = IPAddress.parse(bytes: host) {
            return .address(address)
        }
        return kinds.contains(.domains) ? domain(host).map { .domain($0) } : nil
    }

    /// The domain `bytes` spell, in lower case without a trailing dot, or `nil` when they do not
    /// look like one.
    static func domain(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        var end = bytes.count
        if end > 0, bytes[end - 1] == UInt8(ascii: ".") {
            end -= 1
        }
        guard end >= 4, end <= 253 else {
            return nil
        }
        var labels = 1
        var labelStart = 0
        for index in 0..<end {
            let byte = bytes[index]
            if byte == UInt8(ascii: ".") {
                guard index > labelStart, index - labelStart <= 63 else {
                    return nil
                }
                labels += 1
                labelStart = index + 1
            } else if !(isLetter(byte) || isDigit(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")) {
                return nil
            }
        }
        let topLevel = UnsafeBufferPointer(rebasing: bytes[labelStart..<end])
        guard labels >= 2, topLevel.count >= 2, topLevel.count <= 63, isTopLevel(topLevel) else {
            return nil
        }
        return lowercased(UnsafeBufferPointer(rebasing: bytes[..<end]))
    }

    /// Letters only, or an internationalised (`xn--`) label.
    private static func isTopLevel(_ label: UnsafeBufferPointer<UInt8>) -> Bool {
        if label.allSatisfy(isLetter) {
            return true
        }
        let prefix: [UInt8] = Array("xn--".utf8)
        return label.count > 4 && zip(label.prefix(4), prefix).allSatisfy { $0 | 0x20 == $1 }
            && label.dropFirst(4).allSatisfy { isLetter($0) || isDigit($0) || $0 == UInt8(ascii: "-") }
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
    }

    /// The bits of ``byteClasses``.
    private enum ByteClass {
        static let dot: UInt8 = 1
        static let colon: UInt8 = 2
        static let at: UInt8 = 4
        static let blank: UInt8 = 8
        static let nonHex: UInt8 = 16
    }

    /// For each byte value, the classes it belongs to.
    private static let byteClasses: [UInt8] = (0...255).map { value in
        let byte = UInt8(value)
        var classes: UInt8 =
            isDigit(byte) || (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "f")
            ? 0 : ByteClass.nonHex
        switch byte {
        case UInt8(ascii: "."): classes |= ByteClass.dot
        case UInt8(ascii: ":"): classes |= ByteClass.colon
        case UInt8(ascii: "@"): classes |= ByteClass.at
        case UInt8(ascii: " "), UInt8(ascii: "\t"): classes |= ByteClass.blank
        default: break
        }
        return classes
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    /// ASCII bytes as a lower-case string.
    private static func lowercased(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        String(unsafeUninitializedCapacity: bytes.count) { output in
            for (index, byte) in bytes.enumerated() {
                output[index] = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
            }
            return bytes.count
        }
    }
}
