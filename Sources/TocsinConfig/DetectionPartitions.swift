// SPDX-License-Identifier: Apache-2.0

public import TocsinCluster
public import TocsinDetect

/// The detections of a ``DetectionTable`` split by group key over the fixed partitions of a
/// ``TocsinCluster/PartitionMap``: one reader's engines, holding the state of the partitions it owns.
///
/// Every owner reads every event in log order and evaluates it once. Each stateful match belongs to
/// the partition of its rule and group (`[rule id] + group values`), and a Sigma rule's own alert to
/// the partition of its rule and sequence number. A match of a partition the reader does not own
/// only moves the rule's event time, so each rule's watermark is the one a single set of engines has,
/// and the partitions' alerts together equal a single set of engines' on the same input
/// (`DetectionPartitionsTests`). The rules of one correlation chain (`rules:` naming another
/// correlation) stay together in the partition of the chain's first rule, since an alert of one
/// feeds the next with another group.
///
/// Each owned partition replays silently through its own cursor (``beginReplay(partition:through:)``):
/// its alerts raised while reading events up to the cursor are dropped, so a reader that takes over a
/// partition rebuilds its state from the log and raises only what the previous owner had not
/// recorded. With one partition this is exactly ``DetectionEngines`` with a silent replay.
public struct DetectionPartitions: Sendable {
    /// The partitions of the cluster.
    public let map: PartitionMap
    /// The owned partitions, ascending.
    public let owned: [Int]
    /// The engines, holding the state of the owned partitions' groups.
    public private(set) var engines: DetectionEngines
    private let placement: Placement
    private let owns: [Bool]
    private var silentThrough: [Int64]

    /// The table the partitions run.
    public var table: DetectionTable {
        engines.table
    }

    /// Engines with empty state for `partitions` of `map`.
    ///
    /// - Precondition: every partition is in `0..<map.count`.
    /// - Throws: `DetectionError` when the engine refuses one of the table's rules.
    public init(table: DetectionTable, map: PartitionMap, owning partitions: some Sequence<Int>) throws(DetectionError)
    {
        self.init(map: map, owning: partitions, engines: try DetectionEngines(table: table))
    }

    /// The whole table in one partition: a single node's detections.
    ///
    /// - Throws: `DetectionError` when the engine refuses one of the table's rules.
    public init(table: DetectionTable) throws(DetectionError) {
        try self.init(table: table, map: PartitionMap(count: 1), owning: [0])
    }

    /// Partitions of `map` running no rule (a table the engine refused).
    public static func idle(map: PartitionMap, owning partitions: some Sequence<Int>) -> DetectionPartitions {
        DetectionPartitions(map: map, owning: partitions, engines: .idle)
    }

    /// The same partitions running no rule.
    public var idle: DetectionPartitions {
        .idle(map: map, owning: owned)
    }

    /// The same partitions for a changed table, keeping the state of every rule that did not change
    /// and the replays in progress.
    ///
    /// - Throws: `DetectionError` when the engine refuses one of the table's rules.
    public init(table: DetectionTable, keepingFrom previous: DetectionPartitions) throws(DetectionError) {
        self.init(
            map: previous.map,
            owning: previous.owned,
            engines: try DetectionEngines(table: table, keepingFrom: previous.engines)
        )
        silentThrough = previous.silentThrough
    }

    private init(map: PartitionMap, owning partitions: some Sequence<Int>, engines: DetectionEngines) {
        let owned = Set(partitions).sorted()
        precondition(owned.allSatisfy { (0..<map.count).contains($0) }, "no such partition")
        var owns = Array(repeating: false, count: map.count)
        for partition in owned {
            owns[partition] = true
        }
        self.map = map
        self.owned = owned
        self.engines = engines
        self.owns = owns
        self.placement = Placement(map: map, table: engines.table)
        self.silentThrough = Array(repeating: .min, count: map.count)
    }

    /// Starts partition `partition`'s silent replay through `sequence`: the last sequence number whose
    /// alerts its owner recorded.
    public mutating func beginReplay(partition: Int, through sequence: Int64) {
        silentThrough[partition] = sequence
    }

    /// The partition of a stateful match.
    public func partition(of match: DetectionTable.Match) -> Int {
        placement.partition(of: match)
    }

    /// The partition that raises Sigma rule `index`'s own alert on the event at `sequence`.
    public func partition(ofSigmaAlert index: Int, sequence: Int64) -> Int {
        guard map.count > 1, table.sigmaSources.indices.contains(index) else {
            return 0
        }
        return map.partition(forGroup: ["sigma", table.sigmaSources[index].name, String(sequence)])
    }

    /// Whether this reader raises Sigma rule `index`'s own alert on the event at `sequence`: it owns
    /// the alert's partition, and that partition's replay is past `sequence`.
    public func raisesSigmaAlert(_ index: Int, sequence: Int64) -> Bool {
        isLoud(partition(ofSigmaAlert: index, sequence: sequence), at: sequence)
    }

    /// Feeds one event's evaluation to the engines: the matches of owned partitions are observed,
    /// the others only move their rule's time (see ``DetectionEngines/observe(_:sequence:time:owns:)``).
    ///
    /// - Returns: The alerts raised, those of partitions still replaying silently left out.
    public mutating func observe(
        _ evaluation: DetectionTable.Evaluation,
        sequence: Int64,
        time: Int64
    ) -> [DetectionEngines.Raised] {
        let raised: [DetectionEngines.Raised]
        if map.count == 1 {
            raised = owns[0] ? engines.observe(evaluation, sequence: sequence, time: time) : []
        } else {
            let (matches, placement, owns) = (evaluation.matches, placement, owns)
            raised = engines.observe(evaluation, sequence: sequence, time: time) {
                owns[placement.partition(of: matches[$0])]
            }
        }
        return loud(raised, at: sequence)
    }

    /// Moves the absence rules' time (see ``DetectionEngines/advanceAbsences(to:sequence:)``).
    ///
    /// - Returns: The alerts raised, those of partitions still replaying silently left out.
    public mutating func advanceAbsences(to time: Int64, sequence: Int64) -> [DetectionEngines.Raised] {
        loud(engines.advanceAbsences(to: time, sequence: sequence), at: sequence)
    }

    /// The ingest time at which the earliest absence comes due.
    public var nextAbsenceDue: Int64? {
        engines.nextAbsenceDue
    }

    /// Observations of owned partitions older than their rule's allowed lateness.
    public var lateObservations: Int {
        engines.lateObservations
    }

    /// Closes every window still open (see ``DetectionEngines/finish()``).
    public mutating func finish() -> [DetectionEngines.Raised] {
        engines.finish().filter { owns[placement.partition(of: $0.alert)] }
    }

    /// `raised` without the alerts of partitions not owned, or replaying silently at `sequence`.
    private func loud(_ raised: [DetectionEngines.Raised], at sequence: Int64) -> [DetectionEngines.Raised] {
        guard !raised.isEmpty else {
            return raised
        }
        return raised.filter { isLoud(placement.partition(of: $0.alert), at: sequence) }
    }

    private func isLoud(_ partition: Int, at sequence: Int64) -> Bool {
        owns[partition] && sequence > silentThrough[partition]
    }
}

/// Where matches and alerts go: the partition of their rule and group, or of their correlation chain.
private struct Placement: Sendable {
    let map: PartitionMap
    let ids: [String]
    let families: [Int?]
    let rules: [String: Int]

    init(map: PartitionMap, table: DetectionTable) {
        self.map = map
        self.ids = table.rules.map(\.id)
        self.families = table.chainFamilies
        self.rules = Dictionary(ids.enumerated().map { ($1, $0) }) { first, _ in first }
    }

    func partition(of match: DetectionTable.Match) -> Int {
        guard map.count > 1, ids.indices.contains(match.rule) else {
            return 0
        }
        return partition(rule: match.rule, group: match.group)
    }

    func partition(of alert: TocsinDetect.Alert) -> Int {
        guard map.count > 1, let rule = rules[alert.rule] else {
            return 0
        }
        return partition(rule: rule, group: alert.group)
    }

    private func partition(rule: Int, group: [String]) -> Int {
        if let family = families[rule] {
            return map.partition(forGroup: ["chain", ids[family]])
        }
        return map.partition(forGroup: [ids[rule]] + group)
    }
}
