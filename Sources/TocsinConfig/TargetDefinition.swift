// SPDX-License-Identifier: Apache-2.0

public import TocsinCompliance
public import TocsinCore
public import TocsinResponse

/// A delivery target: where matched events go and how deliveries to it are retried.
///
/// The keys every target shares live here; what follows `kind:` is the kind's own
/// ``TargetSettings`` type, read through the ``TargetKinds`` registry.
public struct TargetDefinition: Sendable, Hashable {
    /// The target's name (`soc-webhook`).
    public var name: String
    /// The kind's own settings.
    public var settings: any TargetSettings
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
    /// Categories of personal and secret data removed from every event this target receives
    /// (`redact_categories`, docs/compliance.md); empty sends events as stored.
    public var redactCategories: ComplianceCategorySet = ComplianceCategorySet()

    /// Creates a definition.
    public init(
        name: String,
        settings: any TargetSettings,
        dryRun: Bool = false,
        retry: RetryPolicy = RetryPolicy(),
        circuitBreaker: CircuitBreaker.Settings = CircuitBreaker.Settings(),
        maxConcurrency: Int = 16,
        timeoutMilliseconds: Int64 = 5000,
        autoRedrive: Bool = false
    ) {
        self.name = name
        self.settings = settings
        self.dryRun = dryRun
        self.retry = retry
        self.circuitBreaker = circuitBreaker
        self.maxConcurrency = maxConcurrency
        self.timeoutMilliseconds = timeoutMilliseconds
        self.autoRedrive = autoRedrive
    }

    /// The `kind` string of the definition.
    public var kindName: String {
        type(of: settings).kindName
    }

    /// Why the target may only come from the rules directory on disk, or `nil` when the API may
    /// define it.
    public var hostConfigurationReason: String? {
        settings.hostConfigurationReason
    }

    /// Whether both definitions are the same in every setting.
    public static func == (lhs: TargetDefinition, rhs: TargetDefinition) -> Bool {
        lhs.name == rhs.name && lhs.settings.isEqual(to: rhs.settings) && lhs.dryRun == rhs.dryRun
            && lhs.retry == rhs.retry && lhs.circuitBreaker == rhs.circuitBreaker
            && lhs.maxConcurrency == rhs.maxConcurrency && lhs.timeoutMilliseconds == rhs.timeoutMilliseconds
            && lhs.autoRedrive == rhs.autoRedrive && lhs.redactCategories == rhs.redactCategories
    }

    /// Hashes the name and kind (equal definitions share both).
    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(kindName)
    }

    /// The definition as JSON with secrets replaced by `redactor`'s fingerprint, safe for the log
    /// and the API.
    public func redactedJSON(_ redactor: SecretRedactor) -> JSONValue {
        var members: [JSONObject.Member] = [.init(name: "kind", value: .string(kindName))]
        members += settings.redactedMembers(redactor)
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
        if !redactCategories.isEmpty {
            let names = redactCategories.map { JSONValue.string($0.rawValue) }
            members.append(.init(name: "redact_categories", value: .array(names)))
        }
        return .object(JSONObject(members))
    }
}
