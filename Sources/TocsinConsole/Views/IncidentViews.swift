// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// One incident as a row, with the actions its status allows.
public struct IncidentRow: Sendable, Hashable {
    /// The incident number.
    public var id: String
    /// Its title.
    public var title: String
    /// The alert level.
    public var level: String
    /// `open`, `acknowledged` or `closed`.
    public var status: String
    /// Who it is assigned to, or empty.
    public var assignee: String
    /// The alert count.
    public var alerts: String
    /// When it was last seen.
    public var lastSeen: String
    /// The rule that raised it.
    public var rule: String
    /// Whether the acknowledge button shows (open, and the caller may act).
    public var canAcknowledge: Bool
    /// Whether the assign and close forms show (not closed, and the caller may act).
    public var canChange: Bool

    /// Reads a row from the API representation of an incident.
    ///
    /// - Parameters:
    ///   - value: The incident JSON.
    ///   - mayAct: Whether the caller holds ``Permission/actOnIncidents``.
    public init(api value: JSONValue, mayAct: Bool) {
        self.id = value["id"]?.displayText ?? ""
        self.title = value["title"]?.displayText ?? ""
        self.level = value["level"]?.displayText ?? ""
        self.status = value["status"]?.displayText ?? ""
        self.assignee = value["assignee"]?.displayText ?? ""
        self.alerts = value["alert_count"]?.displayText ?? ""
        self.lastSeen = value["last_seen"]?.displayText ?? ""
        self.rule = value["rule"]?.displayText ?? ""
        self.canAcknowledge = mayAct && status == "open"
        self.canChange = mayAct && status != "closed"
    }
}

/// The alerts and incidents page.
public struct IncidentsPage: Sendable {
    /// The page chrome.
    public var chrome: PageChrome
    /// The incidents, newest first as the API lists them.
    public var incidents: [IncidentRow]
    /// The alerts of the API's first page.
    public var alerts: [AlertRow] = []
}

/// One alert as a row.
public struct AlertRow: Sendable, Hashable {
    /// The alert id.
    public var id: String
    /// The sequence number of its `tocsin.alert.raised` event.
    public var seq: String
    /// When it was raised.
    public var raisedAt: String
    /// The rule that raised it.
    public var rule: String
    /// Its title.
    public var title: String
    /// Its level.
    public var level: String
    /// The incident it was grouped into, or empty.
    public var incident: String
    /// Whether the alert came from a staged rule (recorded, not acted on).
    public var isStaged: Bool

    /// Reads a row from the API representation of an alert record.
    public init(api value: JSONValue) {
        self.id = value["id"]?.displayText ?? ""
        self.seq = value["seq"]?.displayText ?? ""
        self.raisedAt = value["raised_at"]?.displayText ?? ""
        self.rule = value["rule"]?.displayText ?? ""
        self.title = value["title"]?.displayText ?? ""
        self.level = value["level"]?.displayText ?? ""
        self.incident = value["incident"]?.displayText ?? ""
        self.isStaged = value["staged"] == .bool(true)
    }
}
