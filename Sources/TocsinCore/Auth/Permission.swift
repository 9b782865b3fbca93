// SPDX-License-Identifier: Apache-2.0

/// One thing a caller may do through the API.
///
/// Every route names exactly one (or none, for the open health checks); a role is a set of permissions.
public enum Permission: String, CaseIterable, Sendable, Hashable {
    /// `POST /v1/events` and `POST /v1/sources/*`.
    case publish = "events:publish"
    /// Read stored events and follow the live stream.
    case readEvents = "events:read"
    /// Read deliveries and the dead-letter queue.
    case readDeliveries = "deliveries:read"
    /// Redrive and purge dead letters.
    case redriveDeliveries = "deliveries:redrive"
    /// Read the IP blocklist (the feed firewalls poll).
    case readBlocklist = "blocklist:read"
    /// Read incidents.
    case readIncidents = "incidents:read"
    /// Acknowledge, assign and close incidents.
    case actOnIncidents = "incidents:act"
    /// Test event patterns against sample events.
    case testPatterns = "patterns:test"
    /// Read rule and target definitions (secrets are always redacted).
    case readRouting = "routing:read"
    /// Create, change and delete rules and targets.
    case manageRouting = "routing:manage"
    /// Create, list, rotate and revoke identities and their keys.
    case manageKeys = "keys:manage"
    /// Re-verify the hash chain and its checkpoints on demand (the console's "verify now").
    case verifyAudit = "audit:verify"
    /// Scrape `GET /metrics` when the server runs with `--metrics-auth`.
    case readMetrics = "metrics:read"
    /// Rebuild read models from the log and compare them with the live ones.
    case rebuildProjections = "projections:rebuild"
}

/// A named set of permissions given to an identity.
///
/// This table is the whole policy: a route is reachable by a role exactly when the role's
/// permissions contain the permission the route names.
public enum Role: String, CaseIterable, Sendable, Hashable, Comparable {
    /// Producers: may publish events, nothing else.
    case publisher
    /// Analysts and dashboards: may read events, deliveries, the blocklist and incidents.
    case reader
    /// On-call: a reader who may also redrive or purge dead letters and act on incidents.
    case responder
    /// Firewalls and edge devices: may read the blocklist only.
    case feed
    /// Operators: everything, including keys, rules and targets.
    case admin
    /// Prometheus and other scrapers: may read `/metrics` only.
    case metrics

    /// The permissions the role grants.
    public var permissions: Set<Permission> {
        switch self {
        case .publisher:
            [.publish]
        case .reader:
            [.readEvents, .readDeliveries, .readBlocklist, .readIncidents, .testPatterns, .readRouting]
        case .responder:
            Role.reader.permissions.union([.redriveDeliveries, .actOnIncidents])
        case .feed:
            [.readBlocklist]
        case .admin:
            Set(Permission.allCases)
        case .metrics:
            [.readMetrics]
        }
    }

    /// Orders roles by name, for stable output.
    public static func < (lhs: Role, rhs: Role) -> Bool {
        lhs.rawValue < rhs.rawValue
    }

    /// The roles' names, comma-separated, for messages.
    public static var names: String {
        allCases.map(\.rawValue).joined(separator: ", ")
    }
}
