// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// Finds what the threat-intelligence lists and the identity directory know about an event, before
/// it is appended: the `enrichment` part of its log record.
///
/// Every string value of the event's `data` (a JSON payload's string values are read from its
/// bytes, member names left out; a text payload is one value) and of its OCSF view is classified (``ObservedValue``) and looked up in the
/// ``IndicatorIndex``; the identity comes from the first user field the directory knows:
/// `actor.user.name`, `actor.user.email_addr`, `user.name`, `user.email_addr` of the view, or, for
/// an event without a view, its `subject`. The result is
/// `{"threat_intel": [{list, indicator, type, value}...], "identity": {user, team, manager, risk}}`
/// with only the parts that found something, or `nil` when nothing did.
public struct EventEnricher: Sendable {
    /// How much work one event may cost.
    public struct Limits: Sendable, Hashable {
        /// String values examined per event (data and view together); the rest are not.
        ///
        /// Default 10,000.
        public var maxValues = 10_000
        /// Threat-intelligence matches kept per event, after de-duplication; the rest are dropped.
        ///
        /// Default 100.
        public var maxMatches = 100

        /// Creates the defaults.
        public init() {}
    }

    /// The indicators of every loaded list.
    public var indicators: IndicatorIndex
    /// The people of the identity directory.
    public var directory: IdentityDirectory
    /// The per-event bounds.
    public var limits: Limits

    /// An enricher that finds nothing.
    public static let empty = EventEnricher(indicators: .empty, directory: .empty)

    /// The OCSF view's user fields, in the order they are looked up.
    static let userPaths: [[String]] = [
        ["actor", "user", "name"], ["actor", "user", "email_addr"], ["user", "name"], ["user", "email_addr"],
    ]

    /// Creates an enricher.
    public init(indicators: IndicatorIndex, directory: IdentityDirectory, limits: Limits = Limits()) {
        self.indicators = indicators
        self.directory = directory
        self.limits = limits
    }

    /// Whether there is nothing to look up (no indicator and no person).
    public var isEmpty: Bool {
        indicators.count == 0 && directory.count == 0
    }

    /// `entry` with its ``LogEntry/enrichment`` set to what was found (left as it is when nothing was).
    public func enriched(_ entry: LogEntry) -> LogEntry {
        guard let enrichment = enrichment(for: entry) else {
            return entry
        }
        var entry = entry
        entry.enrichment = enrichment
        return entry
    }

    /// What the lists and the directory know about `entry`, or `nil` when they know nothing.
    public func enrichment(for entry: LogEntry) -> JSONValue? {
        var members: [JSONObject.Member] = []
        let matches = threatIntelligence(for: entry)
        if !matches.isEmpty {
            members.append(.init(name: "threat_intel", value: .array(matches.map(\.jsonValue))))
        }
        if let person = identity(for: entry) {
            members.append(.init(name: "identity", value: person.jsonValue))
        }
        return members.isEmpty ? nil : .object(JSONObject(members))
    }

    /// The de-duplicated matches of the event's values, in the order the values were met, at most
    /// ``Limits/maxMatches``.
    public func threatIntelligence(for entry: LogEntry) -> [ThreatIntelMatch] {
        let kinds = indicators.kinds
        guard !kinds.isEmpty else {
            return []
        }
        var walk = Walk(index: indicators, kinds: kinds, limits: limits)
        switch entry.event.data {
        case .json(let bytes):
            // The payload's string values are read from its bytes: no tree is built.
            bytes.withUnsafeBufferPointer { buffer in
                var values = JSONStringValues(buffer)
                values.scan { value in
                    walk.look(atUTF8: value)
                    return !walk.isDone
                }
            }
        case .text(let text):
            walk.look(at: text)
        case .binary, nil:
            break
        }
        if let view = entry.ocsf {
            walk.visit(view)
        }
        return walk.matches
    }

    /// The directory's person for the event's first user field it knows.
    public func identity(for entry: LogEntry) -> IdentityDirectory.Person? {
        guard directory.count > 0 else {
            return nil
        }
        guard let view = entry.ocsf else {
            return entry.event.subject.flatMap(directory.person(named:))
        }
        for path in Self.userPaths {
            var node: JSONValue? = view
            for name in path {
                node = node?[name]
            }
            if case .string(let name)? = node, let person = directory.person(named: name) {
                return person
            }
        }
        return nil
    }
}

/// One event's walk over its string values, within the limits.
private struct Walk {
    let index: IndicatorIndex
    let kinds: ObservedValue.Kinds
    let limits: EventEnricher.Limits
    var examined = 0
    var matches: [ThreatIntelMatch] = []
    var seen: Set<ThreatIntelMatch> = []

    init(index: IndicatorIndex, kinds: ObservedValue.Kinds, limits: EventEnricher.Limits) {
        self.index = index
        self.kinds = kinds
        self.limits = limits
    }

    var isDone: Bool {
        examined >= limits.maxValues || matches.count >= limits.maxMatches
    }

    mutating func visit(_ value: JSONValue) {
        switch value {
        case .string(let text):
            look(at: text)
        case .array(let elements):
            for element in elements where !isDone {
                visit(element)
            }
        case .object(let object):
            for member in object.members where !isDone {
                visit(member.value)
            }
        case .number, .bool, .null:
            break
        }
    }

    mutating func look(at text: String) {
        var text = text
        text.withUTF8 { look(atUTF8: $0) }
    }

    mutating func look(atUTF8 value: UnsafeBufferPointer<UInt8>) {
        guard !isDone else {
            return
        }
        examined += 1
        guard let observed = ObservedValue.classify(utf8: value, kinds: kinds) else {
            return
        }
        var found: [ThreatIntelMatch] = []
        index.forEachMatch(of: observed, original: { String(decoding: value, as: UTF8.self) }) { found.append($0) }
        for match in found where matches.count < limits.maxMatches && seen.insert(match).inserted {
            matches.append(match)
        }
    }
}
