// SPDX-License-Identifier: Apache-2.0

#if NATS
import Logging
import ServiceLifecycle
import Synchronization
import TocsinCluster
import TocsinCore
import TocsinNATS

/// Which detection partitions this node holds: its heartbeat, its view of the live nodes, and a
/// lease election for each partition placed on it (docs/cluster-design.md).
///
/// Every 2 s the node writes its heartbeat (`detection.members.<node>`, expiring 6 s later on its
/// clock) and, from the heartbeats it watches, places the partitions with
/// ``TocsinCluster/PartitionAssignment``: it starts a ``LeaseDriver`` on `detection.partition.<p>`
/// for each partition placed on it, and shuts down the driver of each partition placed elsewhere
/// (the detection stops running it, then the lease is released). A driver that wins its lease adds
/// the partition to ``PartitionedDetection``. A new node's partitions are released to it; a dead
/// node's heartbeat expires, then its leases, and its partitions move.
final class PartitionOwnership: Sendable {
    static let membersPrefix = "detection.members."
    static let leasePrefix = "detection.partition."
    static let heartbeatInterval: Duration = .seconds(2)
    static let heartbeatLifetimeMilliseconds: Int64 = 6000

    private let bucket: NATSKeyValue
    private let assignment: PartitionAssignment
    private let host: PartitionedDetection
    private let clock: any WallClock
    private let logger: Logger
    private let members = Mutex<[String: Int64]>([:])
    private let caughtUp = Mutex(false)
    private let ended = Mutex<Set<Int>>([])
    private let stopping = Mutex(false)

    init(
        bucket: NATSKeyValue,
        assignment: PartitionAssignment,
        host: PartitionedDetection,
        clock: any WallClock,
        logger: Logger
    ) {
        self.bucket = bucket
        self.assignment = assignment
        self.host = host
        self.clock = clock
        self.logger = logger
    }

    /// Asks ``run()`` to release every partition and return.
    func shutdown() {
        stopping.withLock { $0 = true }
    }

    /// Beats, watches the heartbeats and keeps the partition elections placed, until ``shutdown()``
    /// (or cancellation); then stops the detection, shuts every election down, waits for their
    /// releases, and removes the heartbeat.
    ///
    /// The first plan waits for the watch to deliver the current heartbeats (at most 10 s, so a
    /// watch that keeps failing does not keep the node from detecting).
    func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.watchMembers() }
            var drivers: [Int: (driver: LeaseDriver, task: Task<Void, Never>)] = [:]
            var releasing: [Int: Task<Void, Never>] = [:]
            let started = clock.milliseconds
            var planned = false
            var nextBeat = Int64.min
            while !Task.isCancelled && !stopping.withLock({ $0 }) {
                if clock.milliseconds >= nextBeat {
                    await beat()
                    nextBeat = clock.milliseconds + Self.heartbeatInterval.wholeMilliseconds
                }
                if planned || caughtUp.withLock({ $0 }) || clock.milliseconds - started >= 10_000 {
                    planned = true
                    let finished = ended.withLock { ended in
                        defer { ended = [] }
                        return ended
                    }
                    for partition in finished {
                        releasing[partition] = nil
                    }
                    let plan = assignment.plan(
                        members: members.withLock { $0 }.map { .init(node: $0.key, expiresMilliseconds: $0.value) },
                        contending: Set(drivers.keys).union(releasing.keys),
                        owners: [:],
                        now: clock.milliseconds
                    )
                    for partition in plan.claim {
                        drivers[partition] = start(partition)
                    }
                    for partition in plan.release {
                        if let (driver, task) = drivers.removeValue(forKey: partition) {
                            driver.shutdown()
                            releasing[partition] = task
                        }
                    }
                }
                try? await Task.sleep(for: planned ? Self.heartbeatInterval : .milliseconds(100))
            }
            await host.stop()
            for (driver, _) in drivers.values {
                driver.shutdown()
            }
            for task in drivers.values.map(\.task) + releasing.values {
                await task.value
            }
            try? await bucket.delete(Self.membersPrefix + assignment.node)
            group.cancelAll()
        }
    }

    /// Starts the lease election of `partition`: winning it adds the partition to the detection,
    /// stepping down removes it before the lease is released.
    private func start(_ partition: Int) -> (driver: LeaseDriver, task: Task<Void, Never>) {
        let driver = LeaseDriver(
            bucket: bucket,
            key: Self.leasePrefix + String(partition),
            candidate: assignment.candidate,
            clock: clock,
            logger: logger
        )
        let task = Task { [host] in
            await driver.run { change in
                switch change {
                case .lead:
                    await host.lead(partition)
                case .stepDown:
                    await host.stepDown(partition)
                }
            }
            // A cancelled driver (the node stopping at once) may not have said stepDown.
            await host.stepDown(partition)
            self.ended.withLock { _ = $0.insert(partition) }
        }
        return (driver, task)
    }

    /// Writes this node's heartbeat; a failed write is logged, and the next one tries again.
    private func beat() async {
        let expires = clock.milliseconds + Self.heartbeatLifetimeMilliseconds
        let value = JSONWriter().bytes(
            .object(JSONObject([.init(name: "expires_ms", value: .number(JSONNumber(expires)))]))
        )
        do {
            _ = try await bucket.put(Self.membersPrefix + assignment.node, value: value)
        } catch {
            logger.warning("The detection heartbeat could not be written.", metadata: ["error": "\(error)"])
        }
    }

    /// Keeps ``members`` as the heartbeats say, watching them again 1 s after a watch fails.
    private func watchMembers() async {
        while !Task.isCancelled {
            do {
                for try await change in try await bucket.watch(Self.membersPrefix + ">") {
                    switch change {
                    case .caughtUp:
                        caughtUp.withLock { $0 = true }
                    case .entry(let entry):
                        let node = String(entry.key.dropFirst(Self.membersPrefix.count))
                        let expires = Self.expiry(of: entry)
                        members.withLock { $0[node] = expires }
                    }
                }
            } catch {
                logger.warning(
                    "The detection heartbeats' watch stopped; watching again in 1 s.",
                    metadata: ["error": "\(error)"]
                )
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    /// When a heartbeat expires: `nil` for a deleted one or one that is not a heartbeat.
    static func expiry(of entry: NATSKeyValueEntry) -> Int64? {
        guard entry.operation == .put, let document = try? JSONParser().parse(entry.value),
            case .number(let expires)? = document["expires_ms"]
        else {
            return nil
        }
        return expires.int64Value
    }
}
#endif
