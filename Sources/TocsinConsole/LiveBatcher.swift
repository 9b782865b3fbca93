// SPDX-License-Identifier: Apache-2.0

/// Coalesces live events into batches for the browser: at most one batch per interval, each with at
/// most a fixed number of the newest rows, so the page renders a bounded number of rows a second
/// whatever the ingest rate.
///
/// Pure: the caller passes the time. Rows beyond the cap are counted, not kept.
public struct LiveBatcher<Row: Sendable>: Sendable {
    /// One flush: the newest rows, oldest first, and how many newer-than-last-flush rows were left out.
    public struct Batch: Sendable {
        /// The rows to show, oldest first.
        public var rows: [Row]
        /// Rows that arrived since the last flush but are not in `rows`.
        public var skipped: Int
    }

    /// The least time between two batches, in milliseconds.
    public let intervalMilliseconds: Int64
    /// The most rows in one batch.
    public let maximumRows: Int
    private var pending: [Row] = []
    private var skipped = 0
    private var lastFlush: Int64?

    /// Creates a batcher.
    ///
    /// - Parameters:
    ///   - intervalMilliseconds: The least time between batches.
    ///   - maximumRows: The most rows in one batch (at least 1).
    public init(intervalMilliseconds: Int64, maximumRows: Int) {
        self.intervalMilliseconds = intervalMilliseconds
        self.maximumRows = max(1, maximumRows)
    }

    /// The most rows a second the browser is sent.
    public var maximumRowsPerSecond: Int {
        Int((Int64(maximumRows) * 1000 + intervalMilliseconds - 1) / max(1, intervalMilliseconds))
    }

    /// Adds rows in arrival order; only the newest ``maximumRows`` are kept.
    public mutating func add(_ rows: some Sequence<Row>) {
        pending.append(contentsOf: rows)
        if pending.count > maximumRows {
            let excess = pending.count - maximumRows
            skipped += excess
            pending.removeFirst(excess)
        }
    }

    /// When the next batch may go, or `nil` when nothing is waiting.
    public func nextFlush() -> Int64? {
        guard !pending.isEmpty else {
            return nil
        }
        return lastFlush.map { $0 + intervalMilliseconds } ?? Int64.min
    }

    /// The batch to send now, or `nil` when nothing is waiting or the interval has not passed.
    public mutating func flush(now: Int64) -> Batch? {
        guard let due = nextFlush(), now >= due else {
            return nil
        }
        let batch = Batch(rows: pending, skipped: skipped)
        pending.removeAll(keepingCapacity: true)
        skipped = 0
        lastFlush = now
        return batch
    }
}
