// SPDX-License-Identifier: Apache-2.0

#if NATS
import Logging
import ServiceLifecycle
import TocsinCluster
import TocsinMetrics

/// The detection of the partitions this node holds leases for: one ``DetectionService`` at a time,
/// started again whenever the set changes.
///
/// A change cancels the running detection and starts the next one only once it has ended, so two
/// detections of this node never run at once; ``stepDown(_:)`` returns only once the detection
/// that ran the partition has ended, so its lease is released after its last alert and cursor are
/// written. Leases won together start one detection: the next one waits 250 ms for more.
actor PartitionedDetection {
    private let detection: DetectionService
    private let metrics: ClusterMetrics
    private var led: Set<Int> = []
    private var running: Task<Void, Never>?
    private var isStopped = false

    init(detection: DetectionService, metrics: ClusterMetrics) {
        self.detection = detection
        self.metrics = metrics
    }

    /// This node holds the lease of `partition` (again, on each renewal).
    func lead(_ partition: Int) {
        if !isStopped, led.insert(partition).inserted {
            _ = restart()
        }
    }

    /// This node gives up `partition`; returns once no detection of this node runs it.
    func stepDown(_ partition: Int) async {
        if led.remove(partition) != nil {
            await restart()?.value
        }
    }

    /// Stops the detection for good (later leads are ignored); returns once it has ended.
    func stop() async {
        isStopped = true
        led = []
        await restart()?.value
    }

    /// Cancels the running detection and starts one for ``led`` after it; returns the cancelled one.
    private func restart() -> Task<Void, Never>? {
        let previous = running
        previous?.cancel()
        metrics.detection(partitions: led.count)
        var next = detection
        next.partitions = led.sorted()
        running = Task {
            await previous?.value
            guard !next.partitions.isEmpty else {
                return
            }
            try? await Task.sleep(for: .milliseconds(250))
            guard !Task.isCancelled else {
                return
            }
            next.logger.notice(
                "This node now runs detection partitions.",
                metadata: ["detect.partitions": "\(next.partitions)", "detect.partition_count": "\(next.map.count)"]
            )
            await Self.keepRunning(next)
        }
        return previous
    }

    /// Runs `detection` until it ends (cancelled, or the node shutting down), starting it again 2 s
    /// after it fails (the cursors unreadable).
    private static func keepRunning(_ detection: DetectionService) async {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await detection.run()
                return
            } catch {
                detection.logger.error(
                    "Detection stopped; starting it again in 2 s.",
                    metadata: ["error": "\(error)"]
                )
                try? await Task.sleep(for: .seconds(2))
            }
        }
    }
}
#endif
