// SPDX-License-Identifier: Apache-2.0

/// One replay as the store keeps it: what was asked, the range it resolved to, how far it got and,
/// once finished, its report.
public struct ReplayRecord: Sendable, Hashable {
    /// Where a replay stands.
    public enum Status: String, Sendable, Hashable, CaseIterable {
        /// Accepted and not finished (running, or waiting for a restart to resume it).
        case running
        /// Finished; ``ReplayRecord/report`` holds the shadow report.
        case completed
        /// Stopped for good; ``ReplayRecord/error`` says why.
        case failed
    }

    /// The replay's id (1, 2, ...; never reused).
    public var id: Int64
    /// The request as accepted, as JSON text.
    public var request: String
    /// The identity that started it.
    public var actor: String
    /// The first sequence number replayed.
    public var firstSequence: Int64
    /// The last sequence number replayed (the log's head when the replay was accepted, at most).
    public var lastSequence: Int64
    /// Where it stands.
    public var status: Status
    /// Events read so far in the current run.
    public var processed: Int64
    /// The last sequence number read so far in the current run (`firstSequence - 1` before the first).
    public var cursor: Int64
    /// How many times a restart interrupted it and it started again from its first sequence number.
    public var restarts: Int
    /// The shadow report as JSON text, once completed.
    public var report: String?
    /// Why it failed, when it did.
    public var error: String?
    /// When it was accepted (milliseconds since the epoch).
    public var createdMilliseconds: Int64
    /// When its row last changed.
    public var updatedMilliseconds: Int64
    /// When it finished.
    public var completedMilliseconds: Int64?

    /// Creates a record.
    public init(
        id: Int64,
        request: String,
        actor: String,
        firstSequence: Int64,
        lastSequence: Int64,
        status: Status,
        processed: Int64,
        cursor: Int64,
        restarts: Int,
        report: String?,
        error: String?,
        createdMilliseconds: Int64,
        updatedMilliseconds: Int64,
        completedMilliseconds: Int64?
    ) {
        self.id = id
        self.request = request
        self.actor = actor
        self.firstSequence = firstSequence
        self.lastSequence = lastSequence
        self.status = status
        self.processed = processed
        self.cursor = cursor
        self.restarts = restarts
        self.report = report
        self.error = error
        self.createdMilliseconds = createdMilliseconds
        self.updatedMilliseconds = updatedMilliseconds
        self.completedMilliseconds = completedMilliseconds
    }

    /// How many events the range holds.
    public var total: Int64 {
        max(0, lastSequence - firstSequence + 1)
    }
}
