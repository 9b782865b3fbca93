// SPDX-License-Identifier: Apache-2.0

/// A stateful detection that fired: which rule, which group, when, and the events that made it fire.
///
/// `identity` is a deterministic function of the rule, the group and the evidence, so the same alert raised
/// again (after a restart, by a replay) carries the same identity and the log drops it as a duplicate when it
/// is used as the CloudEvents `id`.
public struct Alert: Sendable, Hashable, Codable {
    /// Which kind of detection fired.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// An event count condition held.
        case eventCount
        /// A distinct value count condition held.
        case valueCount
        /// The referenced rules matched within the window.
        case temporal
        /// The referenced rules matched within the window, in order.
        case temporalOrdered
        /// A value new for the group.
        case firstSeen
        /// No event for the group within the expected time.
        case absence
        /// Two events too far apart for the time between them.
        case impossibleTravel
    }

    /// The distance and speed of an impossible travel.
    public struct Travel: Sendable, Hashable, Codable {
        /// The great-circle distance in kilometres.
        public var kilometres: Double
        /// The speed it implies, in kilometres per hour (events in the same millisecond count as 1 ms apart).
        public var kilometresPerHour: Double
    }

    /// The rule's id.
    public var rule: String
    /// Which kind of detection fired.
    public var kind: Kind
    /// The group-by values, in the rule's group-by order.
    public var group: [String]
    /// How many events (distinct values, rules) satisfied the rule; for absence, 0.
    public var count: Int
    /// The event time the detection holds at, in milliseconds.
    ///
    /// The time of the event that completed it, the end of a closing window, or the deadline an absence
    /// passed. A chained parent counts the alert at this time.
    public var time: Int64
    /// The event time of the earliest evidence event.
    public var firstTime: Int64
    /// The event time of the latest evidence event.
    public var lastTime: Int64
    /// Evidence sequence numbers in event-time order, bounded: the first `evidenceLimit` of them and then the
    /// last one (`count` says how many there were).
    public var evidence: [Int64]
    /// `<rule>:<16 hex digits of the group digest>:<first evidence>:<last evidence>`; stable across restarts.
    public var identity: String
    /// The new value (first-seen).
    public var value: String?
    /// The distance and speed (impossible travel).
    public var travel: Travel?

    init(
        rule: String,
        kind: Kind,
        group: [String],
        count: Int,
        time: Int64,
        firstTime: Int64,
        lastTime: Int64,
        evidence: [Int64],
        value: String? = nil,
        travel: Travel? = nil
    ) {
        self.rule = rule
        self.kind = kind
        self.group = group
        self.count = count
        self.time = time
        self.firstTime = firstTime
        self.lastTime = lastTime
        self.evidence = evidence
        self.value = value
        self.travel = travel
        let first = evidence.first ?? 0
        let last = evidence.last ?? 0
        self.identity = "\(rule):\(Self.hex(Self.digest(of: group))):\(first):\(last)"
    }

    /// A stable 64-bit digest of group values (FNV-1a over the UTF-8 bytes, 0xFF between values); the same in
    /// every process, unlike `Hasher`.
    public static func digest(of group: [String]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for value in group {
            for byte in value.utf8 {
                hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            }
            hash = (hash ^ 0xFF) &* 0x0000_0100_0000_01b3
        }
        return hash
    }

    private static func hex(_ value: UInt64) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }
}

/// Builds bounded evidence lists: the first `limit` sequence numbers, then the last one.
struct EvidenceBuilder {
    let limit: Int
    private(set) var sequences: [Int64] = []
    private(set) var count = 0
    private var last: Int64 = 0

    init(limit: Int) {
        self.limit = limit
    }

    mutating func append(_ sequence: Int64) {
        count += 1
        if sequences.count < limit {
            sequences.append(sequence)
        } else {
            last = sequence
        }
    }

    /// The bounded list.
    var evidence: [Int64] {
        count > limit ? sequences + [last] : sequences
    }
}
