// SPDX-License-Identifier: Apache-2.0

/// An event as the log holds it: its sequence number, ingest time and chain hash.
public struct LoggedEvent: Sendable, Hashable {
    /// The global sequence number, starting at 1, without gaps.
    public var sequence: Int64
    /// The event.
    public var event: CloudEvent
    /// When the log accepted it, in milliseconds since the epoch.
    public var ingestMilliseconds: Int64
    /// `SHA-256(previous hash ‖ canonical bytes)`.
    public var hash: [UInt8]
    /// The OCSF view stored with a native record, or `nil`.
    public var ocsf: JSONValue?
    /// What enrichment found at ingest, or `nil` when it found nothing.
    public var enrichment: JSONValue?

    /// Creates a logged event.
    public init(
        sequence: Int64,
        event: CloudEvent,
        ingestMilliseconds: Int64,
        hash: [UInt8],
        ocsf: JSONValue? = nil,
        enrichment: JSONValue? = nil
    ) {
        self.sequence = sequence
        self.event = event
        self.ingestMilliseconds = ingestMilliseconds
        self.hash = hash
        self.ocsf = ocsf
        self.enrichment = enrichment
    }

    /// The API representation:
    /// `{"seq":…,"ingesttime":…,"hash":…,"event":{CloudEvent JSON},"ocsf":{…},"enrichment":{…}}`
    /// (`ocsf` only when the event has a view, `enrichment` only when enrichment found something).
    public var jsonValue: JSONValue {
        var members: [JSONObject.Member] = [
            .init(name: "seq", value: .number(JSONNumber(sequence))),
            .init(name: "ingesttime", value: .string(Timestamp(epochMilliseconds: ingestMilliseconds).text)),
            .init(name: "hash", value: .string(Hex.encode(hash))),
            .init(name: "event", value: event.jsonValue()),
        ]
        if let ocsf {
            members.append(.init(name: "ocsf", value: ocsf))
        }
        if let enrichment {
            members.append(.init(name: "enrichment", value: enrichment))
        }
        return .object(JSONObject(members))
    }

    /// The document event patterns and input transformers see: the CloudEvent JSON with the OCSF
    /// view, when there is one, under the top-level key `ocsf`, and the enrichment, when there is
    /// one, under `enrichment`.
    public var matchDocument: JSONValue {
        LogEntry(event: event, ocsf: ocsf, enrichment: enrichment).matchDocument()
    }
}

/// What the log answered for one appended event.
public struct AppendReceipt: Sendable, Hashable {
    /// The event's sequence number (the existing one for a duplicate).
    public var sequence: Int64
    /// Whether an event with the same `source`+`id` was already stored.
    public var isDuplicate: Bool

    /// Creates a receipt.
    public init(sequence: Int64, isDuplicate: Bool) {
        self.sequence = sequence
        self.isDuplicate = isDuplicate
    }
}

/// Filters for reading the log; all set filters must match.
public struct EventQuery: Sendable, Hashable {
    /// Exact `source`.
    public var source: String?
    /// Exact `type`.
    public var type: String?
    /// Exact `subject`.
    public var subject: String?
    /// Event `time` at or after this instant (milliseconds since the epoch).
    public var timeFrom: Int64?
    /// Event `time` before this instant (milliseconds since the epoch).
    public var timeTo: Int64?
    /// Only events with a sequence number greater than this cursor.
    public var after: Int64
    /// Page size.
    public var limit: Int
    /// Leaves out events whose type starts with this prefix (the router skips its own records).
    public var excludingTypePrefix: String?
    /// Whether the events read may come without their enrichment.
    ///
    /// A reader that never looks at it (the router when no pattern tests `enrichment`, detection
    /// without rules) sets it, and the store may then skip parsing it. A hint: a store may still
    /// return it.
    public var omitsEnrichment = false

    /// Creates a query; by default the first 100 events.
    public init(
        source: String? = nil,
        type: String? = nil,
        subject: String? = nil,
        timeFrom: Int64? = nil,
        timeTo: Int64? = nil,
        after: Int64 = 0,
        limit: Int = 100
    ) {
        self.source = source
        self.type = type
        self.subject = subject
        self.timeFrom = timeFrom
        self.timeTo = timeTo
        self.after = after
        self.limit = limit
        self.excludingTypePrefix = nil
    }
}

/// One page of query results.
public struct EventPage: Sendable, Hashable {
    /// The events, in sequence order.
    public var events: [LoggedEvent]
    /// The cursor for the next page (`after=`), or `nil` when this page is the last.
    public var nextCursor: Int64?

    /// Creates a page.
    public init(events: [LoggedEvent], nextCursor: Int64?) {
        self.events = events
        self.nextCursor = nextCursor
    }
}
