// SPDX-License-Identifier: Apache-2.0

public import TocsinConfig
public import TocsinCore
public import TocsinResponse

/// A target kind that can be performed: its settings (read, validated and redacted through
/// ``TargetSettings``) plus the step that carries out one delivery attempt.
///
/// Adding a kind is one file with one type conforming to `Action`, and one line in
/// ``ActionRegistry/all``. The perform step reaches the outside world only through the
/// ``ActionContext`` it is given, so it can be tested with a recording context.
public protocol Action: TargetSettings {
    /// Performs one attempt of `request`.
    ///
    /// Failures are returned, never thrown: their messages name what failed (a path and errno,
    /// a host and cause) and never an event payload value or a secret.
    /// - Parameters:
    ///   - request: The delivery, its event and the target.
    ///   - context: The runtime services the step may use.
    /// - Returns: The outcome and, for built-in actions, what they did.
    func perform(_ request: ActionRequest, context: any ActionContext) async -> ActionResult

    /// Problems on this host that would make every delivery fail (a missing directory), checked by
    /// `tocsin config check`.
    ///
    /// - Returns: One message per problem, empty when none.
    func hostProblems() -> [String]
}

extension Action {
    /// By default a kind needs nothing of the host.
    public func hostProblems() -> [String] { [] }
}

/// One delivery attempt, as the perform step sees it.
public struct ActionRequest: Sendable {
    /// The delivery.
    public var delivery: DeliveryRecord
    /// The target's definition (name, timeout).
    public var target: TargetDefinition
    /// The logged event.
    public var logged: LoggedEvent
    /// What targets read paths from: the event's match document, or for a threshold alert the
    /// event that crossed the threshold with the alert under `alert`.
    public var event: JSONValue
    /// Whether `event` is a threshold alert's trigger document rather than the logged event's.
    public var isAlertTrigger: Bool
    /// The rule's transformed input, when it has one.
    public var transformed: [UInt8]?

    /// Creates a request.
    public init(
        delivery: DeliveryRecord,
        target: TargetDefinition,
        logged: LoggedEvent,
        event: JSONValue,
        isAlertTrigger: Bool,
        transformed: [UInt8]?
    ) {
        self.delivery = delivery
        self.target = target
        self.logged = logged
        self.event = event
        self.isAlertTrigger = isAlertTrigger
        self.transformed = transformed
    }

    /// What a plain webhook receives without an input transformation: the event's structured
    /// CloudEvents JSON, or the alert trigger document.
    public var eventBytes: [UInt8] {
        isAlertTrigger ? JSONWriter().bytes(event) : logged.event.structuredJSONBytes()
    }

    /// The event's time, or its ingest time, in milliseconds since the epoch.
    public var eventMilliseconds: Int64 {
        logged.event.time?.epochMilliseconds ?? logged.ingestMilliseconds
    }
}

/// What an attempt came to.
public struct ActionResult: Sendable, Hashable {
    /// The outcome.
    public var outcome: AttemptOutcome
    /// What a built-in action did (the blocked entry, the raised alert), for the delivery event.
    public var detail: JSONValue?

    /// Creates a result.
    public init(_ outcome: AttemptOutcome, detail: JSONValue? = nil) {
        self.outcome = outcome
        self.detail = detail
    }

    /// A failure of `kind` with `message`.
    public static func failed(_ kind: AttemptFailure.Kind, _ message: String) -> ActionResult {
        ActionResult(.failed(AttemptFailure(kind: kind, message: message)))
    }
}
