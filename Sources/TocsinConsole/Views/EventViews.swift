// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// One event as a row of the events table.
public struct EventRow: Sendable, Hashable {
    /// The sequence number.
    public var seq: Int64
    /// When the log accepted it (RFC 3339).
    public var ingestTime: String
    /// The CloudEvents `type`.
    public var type: String
    /// The CloudEvents `source`.
    public var source: String
    /// The CloudEvents `subject`, or empty.
    public var subject: String
    /// The link to the event's detail page.
    public var href: String

    /// Reads a row from the API representation of a logged event (`{"seq":…,"event":{…}}`), or `nil`
    /// when it is not one.
    public init?(api value: JSONValue) {
        guard let seq = value["seq"]?.integer, let event = value["event"] else {
            return nil
        }
        self.seq = seq
        self.ingestTime = value["ingesttime"]?.displayText ?? ""
        self.type = event["type"]?.displayText ?? ""
        self.source = event["source"]?.displayText ?? ""
        self.subject = event["subject"]?.displayText ?? ""
        self.href = "/ui/events/\(seq)"
    }

    /// Reads a row from a logged event.
    public init(logged: LoggedEvent) {
        self.seq = logged.sequence
        self.ingestTime = Timestamp(epochMilliseconds: logged.ingestMilliseconds).text
        self.type = logged.event.type
        self.source = logged.event.source
        self.subject = logged.event.subject ?? ""
        self.href = "/ui/events/\(logged.sequence)"
    }

    /// The row as the live stream sends it to the page's script, which sets it as text (never as
    /// markup).
    public var json: JSONValue {
        .object(
            JSONObject([
                .init(name: "seq", value: .number(JSONNumber(seq))),
                .init(name: "time", value: .string(ingestTime)),
                .init(name: "type", value: .string(type)),
                .init(name: "source", value: .string(source)),
                .init(name: "subject", value: .string(subject)),
                .init(name: "href", value: .string(href)),
            ])
        )
    }
}

/// The live events page.
public struct EventsPage: Sendable {
    /// The page chrome.
    public var chrome: PageChrome
    /// The event pattern the list is filtered with, as typed.
    public var pattern: String
    /// Why the pattern was refused, or `nil`.
    public var patternError: String?
    /// The latest events, newest first.
    public var rows: [EventRow]
    /// The live stream's address, with the filter.
    public var streamHref: String
    /// The most rows the page keeps.
    public var maximumRows: Int
    /// The most rows a second the live stream sends.
    public var rowsPerSecond: Int
}

/// One delivery of an event.
public struct DeliveryRow: Sendable, Hashable {
    /// The delivery id.
    public var id: String
    /// The rule that matched.
    public var rule: String
    /// The target.
    public var target: String
    /// The delivery state (`pending`, `delivered`, `dead-lettered` …).
    public var state: String
    /// Attempts so far.
    public var attempts: String
    /// The last failure's kind and message, or empty.
    public var error: String
    /// The sequence number of the event delivered.
    public var event: String

    /// Reads a row from the API representation of a delivery record.
    public init(api value: JSONValue) {
        self.id = value["id"]?.displayText ?? ""
        self.rule = value["rule"]?.displayText ?? ""
        self.target = value["target"]?.displayText ?? ""
        self.state = value["state"]?.displayText ?? ""
        self.attempts = value["attempts"]?.displayText ?? ""
        self.event = value["event"]?.displayText ?? ""
        if let failure = value["error"] {
            let kind = failure["kind"]?.displayText ?? ""
            let message = failure["message"]?.displayText ?? ""
            self.error = message.isEmpty ? kind : "\(kind): \(message)"
        } else {
            self.error = value["reason"]?.displayText ?? ""
        }
    }
}

/// One event with its place in the hash chain and its deliveries.
public struct EventDetailPage: Sendable {
    /// The page chrome.
    public var chrome: PageChrome
    /// The event's row (sequence, type, source …).
    public var row: EventRow
    /// The event's chain hash.
    public var hash: String
    /// The previous record's hash (the chain link), or `nil` for the first event.
    public var previousHash: String?
    /// The previous event's page, or `nil` for the first.
    public var previousHref: String?
    /// The next event's page.
    public var nextHref: String
    /// The stored document, indented.
    public var document: String
    /// Where the event went.
    public var deliveries: [DeliveryRow]
    /// Whether the deliveries could be read (the caller may read deliveries).
    public var showsDeliveries: Bool

    /// Builds the page from the API's event, the previous event (if any) and the deliveries.
    public init?(
        chrome: PageChrome,
        event: JSONValue,
        previous: JSONValue?,
        deliveries: [JSONValue]?
    ) {
        guard let row = EventRow(api: event) else {
            return nil
        }
        self.chrome = chrome
        self.row = row
        self.hash = event["hash"]?.displayText ?? ""
        self.previousHash = previous?["hash"]?.displayText
        self.previousHref = row.seq > 1 ? "/ui/events/\(row.seq - 1)" : nil
        self.nextHref = "/ui/events/\(row.seq + 1)"
        self.document = event.prettyText
        self.deliveries = (deliveries ?? []).map(DeliveryRow.init(api:))
        self.showsDeliveries = deliveries != nil
    }
}
