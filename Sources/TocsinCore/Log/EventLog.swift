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

/// What the log stores for one event: the event, for native records their OCSF view, and what
/// enrichment found about it at ingest.
///
/// The view and the enrichment are part of the hashed record, so they are as tamper-evident as
/// the event.
public struct LogEntry: Sendable, Hashable {
    /// The event.
    public var event: CloudEvent
    /// The normalised OCSF view, or `nil` when no OCSF class is mapped for the record.
    public var ocsf: JSONValue?
    /// What enrichment found at ingest (threat-intelligence matches, the identity of the user), or
    /// `nil` when it found nothing.
    public var enrichment: JSONValue?

    /// Creates an entry.
    public init(event: CloudEvent, ocsf: JSONValue? = nil, enrichment: JSONValue? = nil) {
        self.event = event
        self.ocsf = ocsf
        self.enrichment = enrichment
    }

    /// The document event patterns and input transformers see: the CloudEvent JSON with the OCSF
    /// view, when there is one, under the top-level key `ocsf`, and the enrichment, when there is
    /// one, under `enrichment`.
    ///
    /// - Parameter includingData: `false` leaves out `data` (cheaper, for patterns that never
    ///   look at it).
    /// - Returns: The CloudEvent JSON, with `ocsf` and `enrichment` when the entry has them.
    public func matchDocument(includingData: Bool = true) -> JSONValue {
        var document = includingData ? event.jsonValue() : .object(event.attributes)
        guard ocsf != nil || enrichment != nil, case .object(var object) = document else {
            return document
        }
        document = .null
        if let ocsf {
            object.members.append(.init(name: "ocsf", value: ocsf))
        }
        if let enrichment {
            object.members.append(.init(name: "enrichment", value: enrichment))
        }
        return .object(object)
    }
}
