// SPDX-License-Identifier: Apache-2.0

/// The native formats Tocsin reads, by the name used in `POST /v1/sources/{format}` and
/// `tocsin ingest --format`.
public enum SourceFormat: String, CaseIterable, Sendable, Hashable {
    /// AWS CloudTrail records (single, `{"Records":[…]}` files, EventBridge envelopes).
    case cloudtrail
    /// AWS VPC Flow Logs, text (v2–v5, header line for custom field orders).
    case vpcflow
    /// AWS GuardDuty findings (bare or in the EventBridge envelope).
    case guardduty
    /// Kubernetes `audit.k8s.io/v1` events (also `EventList`).
    case k8sAudit = "k8s-audit"
    /// GCP Cloud Audit Logs `LogEntry`.
    case gcpAudit = "gcp-audit"
    /// Azure Activity Log records.
    case azureActivity = "azure-activity"
    /// Microsoft Entra ID sign-in logs.
    case azureSignIn = "azure-signin"
    /// Microsoft Entra ID audit logs.
    case azureAudit = "azure-audit"
    /// Okta System Log events (also event-hook deliveries).
    case okta
    /// GitHub enterprise and organisation audit log events.
    case githubAudit = "github-audit"
    /// Syslog lines, RFC 3164 or RFC 5424.
    case syslog

    /// Whether records are text lines rather than JSON documents.
    public var isText: Bool {
        self == .vpcflow || self == .syslog
    }

    /// The formats' names, for messages that list what is valid.
    public static var names: String {
        allCases.map(\.rawValue).joined(separator: ", ")
    }
}

/// Where a record sat in what was submitted.
public struct RecordPosition: Sendable, Hashable, CustomStringConvertible {
    /// The record's ordinal in the body, from 0 (header lines and blank lines are not records).
    public var index: Int
    /// The 1-based line the record is on, for line-oriented bodies (NDJSON, text).
    public var line: Int?

    /// Creates a position.
    public init(index: Int, line: Int?) {
        self.index = index
        self.line = line
    }

    /// `line N` or `record N`.
    public var description: String {
        line.map { "line \($0)" } ?? "record \(index)"
    }
}

/// A record that was refused, with where it was and why.
public struct RejectedRecord: Sendable, Hashable {
    /// Where the record was.
    public var position: RecordPosition
    /// Why it was refused.
    public var error: SourceError

    /// Creates a rejection.
    public init(position: RecordPosition, error: SourceError) {
        self.position = position
        self.error = error
    }
}
