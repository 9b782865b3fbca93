// SPDX-License-Identifier: Apache-2.0

/// The port to the append-only event log.
///
/// The embedded SQLite store implements it.
public protocol EventLog: Sendable {
    /// Appends events atomically and returns only after they are durable.
    ///
    /// Events whose `source`+`id` is already stored are not stored again; their receipt carries
    /// the existing sequence number and `isDuplicate == true`.
    func append(_ events: [CloudEvent]) async throws -> [AppendReceipt]

    /// The event with sequence number `sequence`, or `nil`.
    func event(at sequence: Int64) async throws -> LoggedEvent?

    /// One page of events matching `query`, in sequence order.
    func query(_ query: EventQuery) async throws -> EventPage

    /// The highest committed sequence number (0 for an empty log).
    func lastSequence() async throws -> Int64

    /// Waits until an event with a sequence number greater than `sequence` is committed, or until
    /// `timeout` passes, whichever is first.
    func waitForAppend(after sequence: Int64, timeout: Duration) async
}
