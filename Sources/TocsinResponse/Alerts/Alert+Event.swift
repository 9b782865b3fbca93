// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// Derives Tocsin's own event ids: the same parts give the same id on one node, and nobody outside
/// the node can predict them.
///
/// The store's `EventIdentifiers` (an HMAC keyed with the node's secret) is the implementation; pure
/// code takes this protocol so it can build events without knowing the key.
public protocol EventIdentifierDeriving: Sendable {
    /// The id for `kind` and `parts`: `<kind>-` and 32 hex digits.
    func derived(_ kind: String, _ parts: [String]) -> String
}

extension Alert {
    /// The type of the event that records an alert.
    public static let eventType = "tocsin.alert.raised"
    /// The source of every alert event.
    public static let eventSource = "/tocsin/detect"

    /// The `tocsin.alert.raised` event that records this alert.
    ///
    /// The id is derived from the rule and ``identity``, so raising the same alert twice (a replay,
    /// a retried delivery, a restart in the middle of a window) appends one record: the log keeps
    /// one event per `source`+`id`. The event's `time` is the last counted event's time, so the
    /// event is the same bytes whenever it is built.
    ///
    /// - Parameter identifiers: The node's id derivation (`EventStore.identifiers`).
    /// - Returns: The CloudEvent, with ``json`` as its data.
    public func event(identifiers: some EventIdentifierDeriving) -> CloudEvent {
        CloudEvent(
            id: identifiers.derived("alert", [rule, identity]),
            source: Self.eventSource,
            type: Self.eventType,
            dataContentType: "application/json",
            subject: rule,
            time: Timestamp(epochMilliseconds: lastEventMilliseconds),
            data: .json(JSONWriter().bytes(json))
        )
    }

    /// Reads an alert back from its `tocsin.alert.raised` event.
    ///
    /// - Throws: ``AlertError`` when the event is not an alert event or its data does not follow
    ///   the schema.
    public init(event: CloudEvent) throws(AlertError) {
        guard event.type == Self.eventType else {
            throw AlertError(code: .invalidAlert, path: "$.type", message: "must be \(Self.eventType)")
        }
        try self.init(json: try EventData.json(of: event, code: .invalidAlert))
    }
}

/// Reads an event's JSON data.
enum EventData {
    static func json(of event: CloudEvent, code: AlertError.Code) throws(AlertError) -> JSONValue {
        guard case .json(let bytes)? = event.data else {
            throw AlertError(code: code, path: "$.data", message: "must be JSON data")
        }
        do {
            return try JSONParser().parse(bytes)
        } catch {
            throw AlertError(code: code, path: "$.data", message: "is not valid JSON")
        }
    }
}
