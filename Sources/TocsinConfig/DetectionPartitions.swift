// SPDX-License-Identifier: Apache-2.0

public import TocsinCluster
public import TocsinDetect

/// The detections of a ``DetectionTable`` split by group key over the fixed partitions of a
/// ``TocsinCluster/PartitionMap``: the engines of the partitions one reader owns.
///
/// Every owner reads every event in log order and evaluates it once; each stateful match then goes
/// to the partition of its rule and group (`[rule id] + group values`), and a Sigma rule's own
/// alert to the partition of its rule and sequence number. A partition the reader does not own
/// only moves the rule's event time, so each rule's watermark is the one a single set of engines
/// has, and the partitions' alerts together equal a single set of engines' on the same input
/// (`DetectionPartitionsTests`). The rules of one correlation chain (`rules:` naming another
/// correlation) stay together in the partition of the chain's first rule, since an alert of one
/// feeds the next with another group.
///
/// Each owned partition replays silently through its own cursor (``beginReplay(partition:through:)``),
/// so a reader that takes over a partition rebuilds its state from the log and raises only what the
/// previous owner had not recorded. With one partition this is exactly ``DetectionEngines``.
public struct DetectionPartitions: Sendable {
    /// The partitions of the cluster.
    public let map: PartitionMap
    /// The table the partitions run.
    public let table: DetectionTable
    /// The engines of each owned partition.
    public private(set) var engines: [Int: DetectionEngines]
    /// The owned partitions, ascending: the order alerts are collected in.
    public let owned: [Int]
    private let families: [Int?]
    private var silentThrough: [Int: Int64] = [:]

    /// Engines with empty state for `partitions` of `map`.
    ///
    /// - Precondition: every partition is in `0..<map.count`.
    /// - Throws: `DetectionError` when the engine refuses one of the table's rules.
    public init(table: DetectionTable, map: PartitionMap, owning partitions: some Sequence<Int>) throws(DetectionError)
    {
        let owned = Set(partitions).sorted()
        precondition(owned.allSatisfy { (0..<map.count).contains($0) }, "no such partition")
        self.init(map: map, owned: owned, engines: try DetectionEngines(table: table))
    }

    /// The whole table in one partition: a single node's detections.
    ///
    /// - Throws: `DetectionError` when the engine refuses one of the table's rules.
    public init(table: DetectionTable) throws(DetectionError) {
        try self.init(table: table, map: PartitionMap(count: 1), owning: [0])
    }

    /// Partitions of `map` running no rule (a table the engine refused).
    public static func idle(map: PartitionMap, owning partitions: some Sequence<Int>) -> DetectionPartitions {
        DetectionPartitions(map: map, owned: Set(partitions).sorted(), engines: .idle)
    }

    /// The same partitions running no rule.
    public var idle: DetectionPartitions {
        .idle(map: map, owning: owned)
    }

    private init(map: PartitionMap, owned: [Int], engines: DetectionEngines) {
        self.map = map
        self.table = engines.table
        self.owned = owned
        self.engines = Dictionary(uniqueKeysWithValues: owned.map { ($0, engines) })
        self.families = engines.table.chainFamilies
    }

    /// The same partitions for a changed table, keeping the state of every rule that did not change.
    ///
    /// - Throws: `DetectionError` when the engine refuses one of the table's rules.
    public init(table: DetectionTable, keepingFrom previous: DetectionPartitions) throws(DetectionError) {
        var engines: [Int: DetectionEngines] = [:]
        for (partition, kept) in previous.engines {
            engines[partition] = try DetectionEngines(table: table, keepingFrom: kept)
            // A replay still in progress goes on with the new table.
            if let through = previous.silentThrough[partition] {
                engines[partition]?.beginReplay(through: through)
            }
        }
        self.map = previous.map
        self.table = table
        self.owned = previous.owned
        self.engines = engines
        self.families = table.chainFamilies
        self.silentThrough = previous.silentThrough
    }

    /// Starts partition `partition`'s silent replay through `sequence`: the last sequence number whose
    /// alerts its owner recorded.
    public mutating func beginReplay(partition: Int, through sequence: Int64) {
        engines[partition]?.beginReplay(through: sequence)
        silentThrough[partition] = sequence
    }

    /// The partition of a stateful match.
    public func partition(of match: DetectionTable.Match) -> Int {
        guard map.count > 1 else {
            return 0
        }
        let rules = table.rules
        guard rules.indices.contains(match.rule) else {
            return 0
        }
        if let family = families[match.rule] {
            return map.partition(forGroup: ["chain", rules[family].id])
        }
        return map.partition(forGroup: [rules[match.rule].id] + match.group)
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
        let partition = partition(ofSigmaAlert: index, sequence: sequence)
        guard engines[partition] != nil else {
            return false
        }
        return sequence > silentThrough[partition, default: .min]
    }

    /// Feeds one event's evaluation to every owned partition (see
    /// ``DetectionEngines/observe(_:sequence:time:owns:)``).
    ///
    /// - Returns: The alerts raised, partition by partition.
    public mutating func observe(
        _ evaluation: DetectionTable.Evaluation,
        sequence: Int64,
        time: Int64
    ) -> [DetectionEngines.Raised] {
        guard map.count > 1 else {
            return engines[0]?.observe(evaluation, sequence: sequence, time: time) ?? []
        }
        let targets = evaluation.matches.map(partition(of:))
        var raised: [DetectionEngines.Raised] = []
        for partition in owned {
            raised +=
                engines[partition]?.observe(evaluation, sequence: sequence, time: time) { targets[$0] == partition }
                ?? []
        }
        return raised
    }

    /// Moves every owned partition's absence time (see ``DetectionEngines/advanceAbsences(to:sequence:)``).
    public mutating func advanceAbsences(to time: Int64, sequence: Int64) -> [DetectionEngines.Raised] {
        var raised: [DetectionEngines.Raised] = []
        for partition in owned {
            raised += engines[partition]?.advanceAbsences(to: time, sequence: sequence) ?? []
        }
        return raised
    }

    /// The ingest time at which the earliest absence of an owned partition comes due.
    public var nextAbsenceDue: Int64? {
        owned.compactMap { engines[$0]?.nextAbsenceDue }.min()
    }

    /// Observations older than their rule's allowed lateness, over the owned partitions.
    public var lateObservations: Int {
        engines.values.reduce(0) { $0 + $1.lateObservations }
    }

    /// Closes every window still open, in every owned partition (see ``DetectionEngines/finish()``).
    public mutating func finish() -> [DetectionEngines.Raised] {
        var raised: [DetectionEngines.Raised] = []
        for partition in owned {
            raised += engines[partition]?.finish() ?? []
        }
        return raised
    }
}
