// SPDX-License-Identifier: Apache-2.0

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
public struct GeoIPEnricher: OCSFEnricher {
    private let databases: [MaxMindDatabase]
    private let language: String

    /// The endpoints whose `ip` is looked up.
    static let endpoints = ["src_endpoint", "dst_endpoint"]

    /// Creates an enricher reading `databases`; place names are taken in `language` (MaxMind
    /// `names` key, default `en`).
    public init(databases: [MaxMindDatabase], language: String = "en") {
        self.databases = databases
        self.language = language
    }

    /// Adds `location` and `autonomous_system` to the view's endpoints that lack them.
    public func enrich(_ view: inout JSONValue) {
        guard case .object(var root) = view else {
            return
        }
        var changed = false
        for name in Self.endpoints {
            guard case .object(var endpoint)? = root[name], case .string(let text)? = endpoint["ip"],
                let address = IPAddress.parse(text)
            else {
                continue
            }
            let facts = lookup(address)
            if endpoint["location"] == nil, let location = facts.location {
                endpoint["location"] = location
                changed = true
            }
            if endpoint["autonomous_system"] == nil, let system = facts.autonomousSystem {
                endpoint["autonomous_system"] = system
                changed = true
            }
            root[name] = .object(endpoint)
        }
        if changed {
            view = .object(root)
        }
    }

    /// What the databases know about `address`: an OCSF location and autonomous system.
    ///
    /// Each is `nil` when no file has it; a damaged record in a file counts as absent.
    public func lookup(_ address: IPAddress) -> (location: JSONValue?, autonomousSystem: JSONValue?) {
        var location: [JSONObject.Member] = []
        var system: [JSONObject.Member] = []
        for database in databases {
            guard let record = try? database.lookup(address) else {
                continue
            }
            if location.isEmpty {
                location = locationMembers(database, record)
            }
            if system.isEmpty {
                system = systemMembers(database, record)
            }
        }
        return (
            location.isEmpty ? nil : .object(JSONObject(location)),
            system.isEmpty ? nil : .object(JSONObject(system))
        )
    }

    private func locationMembers(_ database: MaxMindDatabase, _ record: MaxMindDatabase.Record) -> [JSONObject.Member] {
        var members: [JSONObject.Member] = []
        func add(_ name: String, _ path: [MaxMindPathStep]) {
            guard let value = try? database.value(record, at: path) else {
                return
            }
            switch value {
            case .string(let text):
                members.append(.init(name: name, value: .string(text)))
            case .double(let number) where number.isFinite:
                members.append(.init(name: name, value: .number(JSONNumber(text: "\(number)"))))
            default:
                break
            }
        }
        add("city", ["city", "names", .key(language)])
        add("country", ["country", "iso_code"])
        add("continent", ["continent", "names", .key(language)])
        add("region", ["subdivisions", 0, "iso_code"])
        add("postal_code", ["postal", "code"])
        add("lat", ["location", "latitude"])
        add("long", ["location", "longitude"])
        return members
    }

    private func systemMembers(_ database: MaxMindDatabase, _ record: MaxMindDatabase.Record) -> [JSONObject.Member] {
        var members: [JSONObject.Member] = []
        if let number = (try? database.value(record, at: ["autonomous_system_number"]))??.unsigned {
            members.append(.init(name: "number", value: .number(JSONNumber(text: String(number)))))
        }
        if let name = (try? database.value(record, at: ["autonomous_system_organization"]))??.string {
            members.append(.init(name: "name", value: .string(name)))
        }
        return members
    }
}
