// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// Every indicator of the loaded threat-intelligence lists, indexed for lookups whose cost does not
/// grow with the number of indicators.
///
/// Addresses, domains and hashes are hash-table lookups (a domain also looks up each parent
/// domain: `evil.example.com` matches a listed `example.com`). CIDR blocks are grouped by prefix
/// length, so an address costs one lookup per distinct prefix length of its family.
/// Immutable: a reload builds a new index.
public struct IndicatorIndex: Sendable {
    /// One listing of an indicator: which list, and how the list wrote it.
    struct Listing: Sendable, Hashable {
        var list: Int
        var text: String
        var type: IndicatorType
    }

    /// The CIDR blocks of one prefix length and family.
    struct NetworkLevel: Sendable {
        var isV6: Bool
        var prefixLength: Int
        var blocks: [IPRange: [Listing]]
    }

    private let listNames: [String]
    private let addresses: [IPAddress: [Listing]]
    private let networks: [NetworkLevel]
    private let domains: [String: [Listing]]
    private let hashes: [String: [Listing]]

    /// The number of indicators over all lists (an indicator listed twice counts twice).
    public let count: Int
    /// The kinds of event values that can match an indicator of the index.
    public let kinds: ObservedValue.Kinds

    /// An index of no indicators.
    public static let empty = IndicatorIndex(lists: [])

    /// Indexes `lists`.
    public init(lists: [ThreatIntelList]) {
        var addresses: [IPAddress: [Listing]] = [:]
        var networks: [NetworkKey: [IPRange: [Listing]]] = [:]
        var domains: [String: [Listing]] = [:]
        var hashes: [String: [Listing]] = [:]
        var count = 0
        func add<Key: Hashable>(_ listing: Listing, at key: Key, to table: inout [Key: [Listing]]) {
            table[key, default: []].appendIfAbsent(listing)
        }
        for (list, content) in lists.enumerated() {
            count += content.entries.count
            for entry in content.entries {
                let listing = Listing(list: list, text: entry.text, type: entry.indicator.type)
                switch entry.indicator {
                case .address(let address): add(listing, at: address, to: &addresses)
                case .network(let range):
                    networks[NetworkKey(isV6: range.isV6, prefixLength: range.prefixLength), default: [:]][
                        range,
                        default: []
                    ].appendIfAbsent(listing)
                case .domain(let domain): add(listing, at: domain, to: &domains)
                case .hash(let hash): add(listing, at: hash, to: &hashes)
                }
            }
        }
        self.listNames = lists.map(\.name)
        self.addresses = addresses
        // Longest prefixes first, so the most specific block is reported first.
        self.networks = networks.map {
            NetworkLevel(isV6: $0.key.isV6, prefixLength: $0.key.prefixLength, blocks: $0.value)
        }
        .sorted { ($0.isV6 ? 1 : 0, -$0.prefixLength) < ($1.isV6 ? 1 : 0, -$1.prefixLength) }
        self.domains = domains
        self.hashes = hashes
        self.count = count
        var kinds: ObservedValue.Kinds = []
        if !addresses.isEmpty || !networks.isEmpty {
            kinds.insert(.addresses)
        }
        if !domains.isEmpty {
            kinds.insert(.domains)
        }
        if !hashes.isEmpty {
            kinds.insert(.hashes)
        }
        self.kinds = kinds
    }

    /// The indicators `value` matches, as matches naming `original` (the event's value).
    ///
    /// - Parameters:
    ///   - value: The classified event value.
    ///   - original: The event's value as it was (a URL, an e-mail address...).
    ///   - body: Called with each match, most specific first.
    public func forEachMatch(of value: ObservedValue, original: String, _ body: (ThreatIntelMatch) -> Void) {
        forEachMatch(of: value, original: { original }, body)
    }

    /// ``forEachMatch(of:original:_:)`` that makes the original string only when something matches.
    func forEachMatch(of value: ObservedValue, original: () -> String, _ body: (ThreatIntelMatch) -> Void) {
        var text: String?
        func report(_ listings: [Listing]?) {
            guard let listings else {
                return
            }
            let value = text ?? original()
            text = value
            for listing in listings {
                body(
                    ThreatIntelMatch(
                        list: listNames[listing.list],
                        indicator: listing.text,
                        type: listing.type,
                        value: value
                    )
                )
            }
        }
        switch value {
        case .address(let address):
            report(addresses[address])
            for level in networks where level.isV6 == address.isV6 {
                report(level.blocks[IPRange(isV6: address.isV6, prefixLength: level.prefixLength, address: address)])
            }
        case .domain(let domain):
            guard !domains.isEmpty else {
                return
            }
            report(domains[domain])
            // Each parent domain of two or more labels: b.example.com, example.com.
            var name = domain
            name.withUTF8 { bytes in
                var start = 0
                while let dot = bytes[start...].firstIndex(of: UInt8(ascii: ".")),
                    bytes[(dot + 1)...].contains(UInt8(ascii: "."))
                {
                    start = dot + 1
                    report(domains[String(decoding: UnsafeBufferPointer(rebasing: bytes[start...]), as: UTF8.self)])
                }
            }
        case .hash(let hash):
            report(hashes[hash])
        }
    }

    /// The indicators an event's string value matches.
    ///
    /// - Parameter value: The value.
    /// - Returns: The matches, most specific first; empty when the value matches nothing.
    public func matches(_ value: String) -> [ThreatIntelMatch] {
        guard let observed = ObservedValue.classify(value, kinds: kinds) else {
            return []
        }
        var matches: [ThreatIntelMatch] = []
        forEachMatch(of: observed, original: value) { matches.append($0) }
        return matches
    }
}

/// A prefix length of one family.
private struct NetworkKey: Hashable {
    var isV6: Bool
    var prefixLength: Int
}

extension Array where Element: Equatable {
    /// Appends `element` unless the array holds it (lists are tiny: one listing per list).
    fileprivate mutating func appendIfAbsent(_ element: Element) {
        if !contains(element) {
            append(element)
        }
    }
}

/// One threat-intelligence match of an event: the list, the indicator as listed, its type, and
/// the event's value that matched.
public struct ThreatIntelMatch: Sendable, Hashable {
    /// The list's name.
    public var list: String
    /// The indicator as the list wrote it.
    public var indicator: String
    /// The indicator's type.
    public var type: IndicatorType
    /// The event's value (an address, a domain, a URL, an e-mail address or a hash).
    public var value: String

    /// Creates a match.
    public init(list: String, indicator: String, type: IndicatorType, value: String) {
        self.list = list
        self.indicator = indicator
        self.type = type
        self.value = value
    }

    /// `{"list":…,"indicator":…,"type":…,"value":…}`.
    public var jsonValue: JSONValue {
        .object(
            JSONObject([
                .init(name: "list", value: .string(list)),
                .init(name: "indicator", value: .string(indicator)),
                .init(name: "type", value: .string(type.rawValue)),
                .init(name: "value", value: .string(value)),
            ])
        )
    }
}
