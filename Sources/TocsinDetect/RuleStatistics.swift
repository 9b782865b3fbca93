// SPDX-License-Identifier: Apache-2.0

/// Counters of one detection rule, for metrics: what was applied, refused, suppressed and evicted.
public struct RuleStatistics: Sendable, Hashable, Codable {
    /// Observations applied to the state.
    public var applied: Int = 0
    /// Observations older than the watermark: counted here, not applied.
    public var late: Int = 0
    /// Observations without what the rule needs (a value, a valid location, a known referenced rule).
    public var ignored: Int = 0
    /// Alerts raised.
    public var alerts: Int = 0
    /// Times the condition held again within a suppression period and no alert was raised.
    public var suppressed: Int = 0
    /// Groups dropped because nothing they held could matter any more.
    public var expired: Int = 0
    /// Groups dropped while still live because the rule held `maximumGroups` (their state is lost).
    public var evicted: Int = 0
    /// Groups held now.
    public var groups: Int = 0

    /// Creates zeroed counters.
    public init() {}
}

/// What the engine needs from every per-rule machine.
protocol RuleMachine: Sendable, Codable {
    /// The rule the machine runs.
    var rule: DetectionRule { get }
    /// Its groups.
    var table: GroupTable { get set }
    /// Its counters.
    var statistics: RuleStatistics { get set }
    /// Whether the per-slot arrays fit the group table (checked on a restored snapshot).
    var isConsistent: Bool { get }
    /// Whether a group's state can no longer affect any decision, given the rule's watermark.
    func isExpired(_ slot: Int32, watermark: Int64) -> Bool
    /// Gives a slot fresh state: appended when `isNew`, reset otherwise.
    mutating func prepare(_ slot: Int32, isNew: Bool)
    /// Applies an observation that is not late; appends any alert.
    mutating func apply(_ observation: Observation, context: MachineContext, alerts: inout [Alert])
}

/// What a machine is told with each observation.
struct MachineContext {
    /// The rule's watermark: the newest event time minus the rule's allowed lateness.
    let watermark: Int64
    /// How many evidence sequence numbers an alert lists before the last one.
    let evidenceLimit: Int
}

extension RuleMachine {
    /// The slot of a group, created if needed.
    ///
    /// Before creating one it drops up to two expired groups from the least recently used end; when the
    /// table is still full it evicts the least recently used group.
    mutating func acquireSlot(for key: [String], watermark: Int64) -> Int32 {
        if let slot = table.slot(for: key) {
            table.touch(slot)
            return slot
        }
        var budget = 2
        while budget > 0, table.oldest >= 0, isExpired(table.oldest, watermark: watermark) {
            table.remove(table.oldest)
            statistics.expired += 1
            budget -= 1
        }
        if table.count >= table.capacity {
            statistics.evicted += 1
            table.remove(table.oldest)
        }
        let (slot, isNew) = table.insert(key)
        prepare(slot, isNew: isNew)
        statistics.groups = table.count
        return slot
    }

    /// Drops a group whose work is done (a closed window, a reported absence).
    mutating func release(_ slot: Int32) {
        table.remove(slot)
        statistics.groups = table.count
    }

    /// The suppression period of `time`, or nil when the rule does not suppress.
    func period(of time: Int64) -> Int64? {
        let length = rule.suppressionPeriod
        guard length > 0 else {
            return nil
        }
        let quotient = time / length
        return time % length < 0 ? quotient - 1 : quotient
    }

    /// Whether a group that last fired in `firedPeriod` may fire at `time`; records the firing or the
    /// suppression.
    mutating func mayFire(at time: Int64, firedPeriod: inout Int64) -> Bool {
        guard let period = period(of: time) else {
            return true
        }
        guard period > firedPeriod else {
            statistics.suppressed += 1
            return false
        }
        firedPeriod = period
        return true
    }
}
