// SPDX-License-Identifier: Apache-2.0

/// Which alerts a listing returns; every filter that is set must match.
public struct AlertFilter: Sendable, Hashable {
    /// Only alerts of this rule.
    public var rule: String?
    /// Only alerts of these levels (any level when empty).
    public var levels: Set<Alert.Level>
    /// Only alerts whose last event time is at or after this instant (milliseconds since the epoch).
    public var since: Int64?
    /// Only alerts whose last event time is before this instant (milliseconds since the epoch).
    public var until: Int64?
    /// Only alerts of this incident.
    public var incident: Int64?
    /// Only alerts after this log sequence number (the previous page's `next`).
    public var after: Int64
    /// The page size.
    public var limit: Int

    /// Creates a filter; by default the first 100 alerts in log order.
    public init(
        rule: String? = nil,
        levels: Set<Alert.Level> = [],
        since: Int64? = nil,
        until: Int64? = nil,
        incident: Int64? = nil,
        after: Int64 = 0,
        limit: Int = 100
    ) {
        self.rule = rule
        self.levels = levels
        self.since = since
        self.until = until
        self.incident = incident
        self.after = after
        self.limit = limit
    }
}

/// Which incidents a listing returns, most recently active first; every filter that is set must match.
public struct IncidentFilter: Sendable, Hashable {
    /// Only incidents in these statuses (any status when empty).
    public var statuses: Set<Incident.Status>
    /// Only incidents opened by this rule's alert.
    public var rule: String?
    /// Only incidents assigned to this identity.
    public var assignee: String?
    /// The most incidents returned.
    public var limit: Int

    /// Creates a filter; by default the 100 most recently active incidents.
    public init(statuses: Set<Incident.Status> = [], rule: String? = nil, assignee: String? = nil, limit: Int = 100) {
        self.statuses = statuses
        self.rule = rule
        self.assignee = assignee
        self.limit = limit
    }
}

/// One page of alerts.
public struct AlertPage: Sendable, Hashable {
    /// The alerts, in log order.
    public var alerts: [AlertRecord]
    /// The `after` cursor of the next page, or `nil` when this page is the last.
    public var next: Int64?

    /// Creates a page.
    public init(alerts: [AlertRecord], next: Int64?) {
        self.alerts = alerts
        self.next = next
    }
}
