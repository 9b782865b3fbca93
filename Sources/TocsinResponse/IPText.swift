// SPDX-License-Identifier: Apache-2.0

/// Strict parsing of IP addresses and CIDR blocks into canonical text, for the blocklist.
///
/// IPv4 dotted quads without leading zeros; IPv6 in hex groups with at most one `::`, written back
/// in RFC 5952 form; an optional `/n` prefix with host bits cleared.
enum IPText {
    struct Parsed {
        var text: String
        var isV6: Bool
        var prefixLength: Int
    }

    static func parse(_ text: String) -> Parsed? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let address = parts.first else {
            return nil
        }
        if address.contains(":") {
            guard var groups = v6Groups(address) else {
                return nil
            }
            let length = parts.count == 2 ? Int(parts[1]).flatMap { (0...128).contains($0) ? $0 : nil } : 128
            guard let length, parts.count == 1 || parts[1].allSatisfy(\.isNumber) else {
                return nil
            }
            for index in 0..<8 {
                let keep = max(0, min(16, length - index * 16))
                groups[index] &= keep == 0 ? 0 : UInt16.max << UInt16(16 - keep)
            }
            let canonical = v6Text(groups)
            return Parsed(text: length == 128 ? canonical : "\(canonical)/\(length)", isV6: true, prefixLength: length)
        }
        let octets = address.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else {
            return nil
        }
        var value: UInt32 = 0
        for octet in octets {
            guard !octet.isEmpty, octet.count <= 3, octet.allSatisfy(\.isNumber),
                octet.count == 1 || octet.first != "0",
                let number = UInt32(octet), number <= 255
            else {
                return nil
            }
            value = value << 8 | number
        }
        let length = parts.count == 2 ? Int(parts[1]).flatMap { (0...32).contains($0) ? $0 : nil } : 32
        guard let length, parts.count == 1 || parts[1].allSatisfy(\.isNumber) else {
            return nil
        }
        value &= length == 0 ? 0 : UInt32.max << UInt32(32 - length)
        let dotted = (0..<4).map { String(value >> UInt32(24 - $0 * 8) & 0xFF) }.joined(separator: ".")
        return Parsed(text: length == 32 ? dotted : "\(dotted)/\(length)", isV6: false, prefixLength: length)
    }

    private static func v6Groups(_ text: Substring) -> [UInt16]? {
        var halves = [text]
        if let range = text.firstRange(of: "::") {
            let rest = text[range.upperBound...]
            guard rest.firstRange(of: "::") == nil else {
                return nil
            }
            halves = [text[..<range.lowerBound], rest]
        }
        func groups(_ part: Substring) -> [UInt16]? {
            if part.isEmpty {
                return []
            }
            var result: [UInt16] = []
            for group in part.split(separator: ":", omittingEmptySubsequences: false) {
                guard (1...4).contains(group.count), let value = UInt16(group, radix: 16) else {
                    return nil
                }
                result.append(value)
            }
            return result
        }
        guard let head = groups(halves[0]) else {
            return nil
        }
        if halves.count == 1 {
            return head.count == 8 ? head : nil
        }
        guard let tail = groups(halves[1]), head.count + tail.count <= 7 else {
            return nil
        }
        return head + [UInt16](repeating: 0, count: 8 - head.count - tail.count) + tail
    }

    /// RFC 5952: lower-case hex, the longest run of two or more zero groups as `::`.
    private static func v6Text(_ groups: [UInt16]) -> String {
        var bestStart = -1
        var bestLength = 1
        var index = 0
        while index < 8 {
            if groups[index] == 0 {
                var end = index
                while end < 8, groups[end] == 0 {
                    end += 1
                }
                if end - index > bestLength {
                    bestStart = index
                    bestLength = end - index
                }
                index = end
            } else {
                index += 1
            }
        }
        let hex = groups.map { String($0, radix: 16) }
        guard bestStart >= 0 else {
            return hex.joined(separator: ":")
        }
        let head = hex[..<bestStart].joined(separator: ":")
        let tail = hex[(bestStart + bestLength)...].joined(separator: ":")
        return "\(head)::\(tail)"
    }
}
