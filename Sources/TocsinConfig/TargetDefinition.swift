// SPDX-License-Identifier: Apache-2.0

import Crypto
public import TocsinCore
public import TocsinResponse

/// A delivery target: where matched events go and how deliveries to it are retried.
public struct TargetDefinition: Sendable, Hashable {
    /// The target's name (`soc-webhook`).
    public var name: String
    /// What kind of target and its settings.
    public var kind: Kind
    /// When set, deliveries are recorded but not sent.
    public var dryRun: Bool
    /// Retry policy (EventBridge defaults).
    public var retry: RetryPolicy
    /// Circuit-breaker settings.
    public var circuitBreaker: CircuitBreaker.Settings
    /// Deliveries in flight at once to this target.
    public var maxConcurrency: Int
    /// Per-attempt timeout.
    public var timeoutMilliseconds: Int64
    /// Redrive this target's dead letters automatically when its circuit breaker closes again.
    public var autoRedrive: Bool

    /// The kinds of target.
    public enum Kind: Sendable, Hashable {
        /// An HTTP POST, in one of the payload formats.
        case webhook(Webhook)
        /// A program run with the event on standard input.
        case exec(Exec)
        /// The built-in IP blocklist.
        case blocklist(Blocklist)
        /// The built-in incident read model.
        case incident(Incident)
        /// Revokes the Tocsin API key named in the event.
        case revokeKey(keyPath: JSONPath)

        /// The `kind` string of the definition.
        public var name: String {
            switch self {
            case .webhook(let webhook): webhook.format.rawValue
            case .exec: "exec"
            case .blocklist: "blocklist"
            case .incident: "incident"
            case .revokeKey: "revoke-key"
            }
        }
    }

    /// Settings of an HTTP target.
    public struct Webhook: Sendable, Hashable {
        /// The payload shape.
        public enum Format: String, Sendable, Hashable {
            case webhook
            case slack
            case pagerduty
            case jira
        }

        /// The payload shape.
        public var format: Format
        /// The receiver's URL.
        public var url: String
        /// HMAC key for `Tocsin-Signature` (webhook), or the routing key (pagerduty).
        public var secret: String?
        /// Extra request headers (authorisation for Jira, for example).
        public var headers: [String: String]
        /// Jira project key.
        public var project: String?
        /// Jira issue type (default `Task`).
        public var issueType: String
        /// PagerDuty severity (default `error`).
        public var severity: String
    }

    /// Settings of a program target.
    public struct Exec: Sendable, Hashable {
        /// Absolute path of the program.
        public var command: String
        /// Arguments passed to the program as they are (no shell).
        public var arguments: [String]
        /// Exit statuses that mean retrying cannot help: the delivery is dead-lettered at once.
        public var permanentExitCodes: Set<Int32> = []
    }

    /// Settings of the blocklist target.
    public struct Blocklist: Sendable, Hashable {
        /// Where the IP or CIDR is in the event (`$.data.ip`).
        public var ipPath: JSONPath
        /// How long an entry stays on the list, refreshed by every new match.
        public var ttlSeconds: Int64
        /// The nftables file rewritten atomically on every change, when set.
        public var nftFile: String?
    }

    /// Settings of the incident target.
    public struct Incident: Sendable, Hashable {
        /// The grouping key's place in the event; events with the same key update one incident.
        public var keyPath: JSONPath
        /// The incident title's place in the event (default: the rule name and the event type).
        public var titlePath: JSONPath?
        /// The level of the alerts it raises (default `high`).
        public var severity: Alert.Level
    }

    /// Why the target may only come from the rules directory on disk (it runs a program or
    /// writes a file on the host), or `nil` when the API may define it.
    public var hostConfigurationReason: String? {
        switch kind {
        case .exec:
            "an exec target runs a program on the Tocsin host"
        case .blocklist(let blocklist) where blocklist.nftFile != nil:
            "a blocklist target with nft_file writes a file on the Tocsin host"
        default:
            nil
        }
    }

    /// The definition as JSON with secrets replaced by a fingerprint, safe for the log and the API.
    public var redactedJSON: JSONValue {
        var members: [JSONObject.Member] = [.init(name: "kind", value: .string(kind.name))]
        switch kind {
        case .webhook(let webhook):
            members.append(.init(name: "url", value: .string(webhook.url)))
            if let secret = webhook.secret {
                members.append(.init(name: "secret", value: .string(SecretFingerprint.of(secret))))
            }
            if !webhook.headers.isEmpty {
                members.append(.init(name: "headers", value: .array(webhook.headers.keys.sorted().map { .string($0) })))
            }
        case .exec(let exec):
            members.append(.init(name: "command", value: .string(exec.command)))
            members.append(.init(name: "args", value: .array(exec.arguments.map { .string($0) })))
            if !exec.permanentExitCodes.isEmpty {
                let codes = exec.permanentExitCodes.sorted().map { JSONValue.number(JSONNumber(Int64($0))) }
                members.append(.init(name: "permanent_exit_codes", value: .array(codes)))
            }
        case .blocklist(let blocklist):
            members.append(.init(name: "ip_path", value: .string(blocklist.ipPath.description)))
            members.append(.init(name: "ttl_seconds", value: .number(JSONNumber(blocklist.ttlSeconds))))
            if let file = blocklist.nftFile {
                members.append(.init(name: "nft_file", value: .string(file)))
            }
        case .incident(let incident):
            members.append(.init(name: "key_path", value: .string(incident.keyPath.description)))
            if let title = incident.titlePath {
                members.append(.init(name: "title_path", value: .string(title.description)))
            }
            members.append(.init(name: "severity", value: .string(incident.severity.rawValue)))
        case .revokeKey(let path):
            members.append(.init(name: "key_path", value: .string(path.description)))
        }
        members += [
            .init(name: "dry_run", value: .bool(dryRun)),
            .init(name: "auto_redrive", value: .bool(autoRedrive)),
            .init(name: "timeout_seconds", value: .number(JSONNumber(timeoutMilliseconds / 1000))),
            .init(name: "max_concurrency", value: .number(JSONNumber(Int64(maxConcurrency)))),
            .init(
                name: "retry",
                value: .object(
                    JSONObject([
                        .init(name: "max_attempts", value: .number(JSONNumber(Int64(retry.maxAttempts)))),
                        .init(
                            name: "max_event_age_seconds",
                            value: .number(JSONNumber(retry.maxEventAgeMilliseconds / 1000))
                        ),
                    ])
                )
            ),
            .init(
                name: "circuit_breaker",
                value: .object(
                    JSONObject([
                        .init(
                            name: "failure_threshold",
                            value: .number(JSONNumber(Int64(circuitBreaker.failureThreshold)))
                        ),
                        .init(name: "open_seconds", value: .number(JSONNumber(circuitBreaker.openMilliseconds / 1000))),
                    ])
                )
            ),
        ]
        return .object(JSONObject(members))
    }
}

/// A short, non-reversible fingerprint that shows a secret changed without showing it.
public enum SecretFingerprint: Sendable {
    /// `sha256:` and the first 12 hex digits of the secret's SHA-256.
    public static func of(_ secret: String) -> String {
        "sha256:" + String(Hex.encode(SHA256.hash(data: Array(secret.utf8))).prefix(12))
    }
}
