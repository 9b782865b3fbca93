// SPDX-License-Identifier: Apache-2.0

import Synchronization
public import TocsinCore

/// Adds to a record's normalised OCSF view after its normaliser made it, before it is appended
/// (so what it adds is in the hash chain like the rest of the view).
///
/// An enricher only adds members the view does not have; it never changes or removes one.
public protocol OCSFEnricher: Sendable {
    /// Adds what it knows to `view`.
    func enrich(_ view: inout JSONValue)
}

/// Adds GeoIP facts about `src_endpoint.ip` and `dst_endpoint.ip` from MaxMind DB files:
/// `location` (`city`, `country` as ISO 3166-1 alpha-2, `continent`, `region`, `postal_code`,
/// `lat`, `long`) and `autonomous_system` (`number`, `name`).
///
/// Give it a City or Country file, an ASN file, or both; each fact comes from the first file that
/// has it. An endpoint that already has `location` (Okta reports its own) or
/// `autonomous_system` keeps it. Addresses no file covers (private ranges) get nothing.
///
/// Answers are remembered per address (security logs repeat addresses: a brute-forcing host, a
/// NAT gateway); the cache is bounded and emptied whole when full.
public struct GeoIPEnricher: OCSFEnricher {
    private let databases: [MaxMindDatabase]
    private let namesPath: [MaxMindPathStep]
    private let cache: GeoIPCache

    /// The endpoints whose `ip` is looked up.
    static let endpoints = ["src_endpoint", "dst_endpoint"]

    /// Creates an enricher reading `databases`; place names are taken in `language` (MaxMind
    /// `names` key, default `en`), and up to `cacheSize` answers are remembered (0: none).
    public init(databases: [MaxMindDatabase], language: String = "en", cacheSize: Int = 16_384) {
        self.databases = databases
        self.namesPath = ["names", .key(language)]
        self.cache = GeoIPCache(capacity: cacheSize)
    }

    /// Adds `location` and `autonomous_system` to the view's endpoints that lack them.
    public func enrich(_ view: inout JSONValue) {
        guard case .object(var root) = view else {
            return
        }
        view = .null  // `root` is now the only reference, so it is changed in place.
        for index in root.members.indices where Self.endpoints.contains(root.members[index].name) {
            guard case .object(var endpoint) = root.members[index].value, case .string(let text)? = endpoint["ip"],
                let address = IPAddress.parse(text)
            else {
                continue
            }
            let facts = lookup(address)
            guard
                endpoint["location"] == nil && facts.location != nil
                    || endpoint["autonomous_system"] == nil && facts.autonomousSystem != nil
            else {
                continue
            }
            root.members[index].value = .null
            if endpoint["location"] == nil, let location = facts.location {
                endpoint.members.append(.init(name: "location", value: location))
            }
            if endpoint["autonomous_system"] == nil, let system = facts.autonomousSystem {
                endpoint.members.append(.init(name: "autonomous_system", value: system))
            }
            root.members[index].value = .object(endpoint)
        }
        view = .object(root)
    }

    /// What the databases know about `address`: an OCSF location and autonomous system.
    ///
    /// Each is `nil` when no file has it; a damaged record in a file counts as absent.
    public func lookup(_ address: IPAddress) -> (location: JSONValue?, autonomousSystem: JSONValue?) {
        if let known = cache.value(for: address) {
            return known
        }
        let facts = read(address)
        cache.store(facts, for: address)
        return facts
    }

    private func read(_ address: IPAddress) -> (location: JSONValue?, autonomousSystem: JSONValue?) {
        var location: [JSONObject.Member] = []
        var system: [JSONObject.Member] = []
        for database in databases where location.isEmpty || system.isEmpty {
            guard let record = (try? database.lookup(address)) ?? nil, let top = try? database.members(record) else {
                continue
            }
            if location.isEmpty {
                location = locationMembers(database, top)
            }
            if system.isEmpty {
                system = systemMembers(database, top)
            }
        }
        return (
            location.isEmpty ? nil : .object(JSONObject(location)),
            system.isEmpty ? nil : .object(JSONObject(system))
        )
    }

    private func locationMembers(
        _ database: MaxMindDatabase,
        _ top: [(key: String, value: MaxMindDatabase.Record)]
    ) -> [JSONObject.Member] {
        func value(_ record: MaxMindDatabase.Record, _ path: [MaxMindPathStep]) -> JSONValue? {
            switch (try? database.value(record, at: path)) ?? nil {
            case .string(let text)?: .string(text)
            case .double(let number)? where number.isFinite: .number(JSONNumber(text: "\(number)"))
            default: nil
            }
        }
        // One pass over the record's top-level map, then the members in OCSF order.
        var found: [JSONValue?] = Array(repeating: nil, count: Self.locationNames.count)
        for (key, record) in top {
            switch key {
            case "city": found[0] = value(record, namesPath)
            case "country": found[1] = value(record, Self.isoCodePath)
            case "continent": found[2] = value(record, namesPath)
            case "subdivisions": found[3] = value(record, Self.firstISOCodePath)
            case "postal": found[4] = value(record, Self.codePath)
            case "location":
                found[5] = value(record, Self.latitudePath)
                found[6] = value(record, Self.longitudePath)
            default: break
            }
        }
        return zip(Self.locationNames, found).compactMap { name, value in value.map { .init(name: name, value: $0) } }
    }

    private static let locationNames = ["city", "country", "continent", "region", "postal_code", "lat", "long"]
    private static let isoCodePath: [MaxMindPathStep] = ["iso_code"]
    private static let firstISOCodePath: [MaxMindPathStep] = [0, "iso_code"]
    private static let codePath: [MaxMindPathStep] = ["code"]
    private static let latitudePath: [MaxMindPathStep] = ["latitude"]
    private static let longitudePath: [MaxMindPathStep] = ["longitude"]

    private func systemMembers(
        _ database: MaxMindDatabase,
        _ top: [(key: String, value: MaxMindDatabase.Record)]
    ) -> [JSONObject.Member] {
        var members: [JSONObject.Member] = []
        for (key, value) in top where key.hasPrefix("autonomous_system_") {
            switch (key, (try? database.value(value)) ?? nil) {
            case ("autonomous_system_number", let number?):
                if let number = number.unsigned {
                    members.insert(.init(name: "number", value: .number(JSONNumber(text: String(number)))), at: 0)
                }
            case ("autonomous_system_organization", .string(let name)?):
                members.append(.init(name: "name", value: .string(name)))
            default:
                break
            }
        }
        return members
    }
}

/// Answers by address, bounded: when full it is emptied whole (no per-entry bookkeeping).
private final class GeoIPCache: Sendable {
    private let entries = Mutex<[IPAddress: (location: JSONValue?, autonomousSystem: JSONValue?)]>([:])
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    func value(for address: IPAddress) -> (location: JSONValue?, autonomousSystem: JSONValue?)? {
        guard capacity > 0 else {
            return nil
        }
        return entries.withLock { $0[address] }
    }

    func store(_ facts: (location: JSONValue?, autonomousSystem: JSONValue?), for address: IPAddress) {
        guard capacity > 0 else {
            return
        }
        entries.withLock { entries in
            if entries.count >= capacity {
                entries.removeAll(keepingCapacity: true)
            }
            entries[address] = facts
        }
    }
}
