// SPDX-License-Identifier: Apache-2.0

/// The port to the append-only event log.
///
/// The embedded SQLite store implements it.
public protocol EventLog: Sendable {
    /// Appends entries atomically and returns only after they are durable.
    ///
    /// Entries whose event's `source`+`id` is already stored are not stored again; their receipt
    /// carries the existing sequence number and `isDuplicate == true`.
    func append(entries: [LogEntry]) async throws -> [AppendReceipt]

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

extension EventLog {
    /// Appends events that carry no normalised view.
    public func append(_ events: [CloudEvent]) async throws -> [AppendReceipt] {
        try await append(entries: events.map { LogEntry(event: $0) })
    }
}

/// What the log stores for one event: the event and, for native records, their OCSF view.
///
/// The view is part of the hashed record, so it is as tamper-evident as the event.
public struct LogEntry: Sendable, Hashable {
    /// The event.
    public var event: CloudEvent
    /// The normalised OCSF view, or `nil` when no OCSF class is mapped for the record.
    public var ocsf: JSONValue?

    /// Creates an entry.
    public init(event: CloudEvent, ocsf: JSONValue? = nil) {
        self.event = event
        self.ocsf = ocsf
    }

    /// The document event patterns and input transformers see: the CloudEvent JSON with the OCSF
    /// view, when there is one, under the top-level key `ocsf`.
    ///
    /// - Parameter includingData: `false` leaves out `data` (cheaper, for patterns that never
    ///   look at it).
    /// - Returns: The document to match.
    public func matchDocument(includingData: Bool = true) -> JSONValue {
        var document = includingData ? event.jsonValue() : .object(event.attributes)
        if let ocsf, case .object(var object) = document {
            object.members.append(.init(name: "ocsf", value: ocsf))
            document = .object(object)
        }
        return document
    }
}
