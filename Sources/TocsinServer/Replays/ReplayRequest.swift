// SPDX-License-Identifier: Apache-2.0

public import TocsinCore
import TocsinRules

/// The body of `POST /v1/replays`, validated: the range, which events, rules and targets, and
/// whether it is a dry run.
///
/// `from` and `to` are each a sequence number (an integer, both ends included) or an RFC 3339
/// time (a string, compared with ingest time: `from` included, `to` excluded). Sequence numbers
/// follow ingest order, so either form names a contiguous stretch of the log.
public struct ReplayRequest: Sendable, Hashable {
    /// One end of the range.
    public enum Bound: Sendable, Hashable {
        /// A sequence number.
        case sequence(Int64)
        /// An ingest time, in milliseconds since the epoch.
        case time(Int64)
    }

    /// One problem with a request: where (a JSON pointer into the body) and what to do about it.
    public struct Violation: Error, Sendable, Hashable, CustomStringConvertible {
        /// A JSON pointer to the member (`/from`, `/rules/2`), or `""` for the whole body.
        public var path: String
        /// What is wrong and how to fix it.
        public var message: String

        /// Creates a problem.
        public init(path: String, message: String) {
            self.path = path
            self.message = message
        }

        /// `path: message`.
        public var description: String {
            "\(path.isEmpty ? "body" : path): \(message)"
        }
    }

    /// Every problem of a request, collected.
    public struct Violations: Error, Sendable, Hashable {
        /// The problems, in member order.
        public var violations: [Violation]
    }

    /// The members a request may have.
    public static let members: Set<String> = [
        "from", "to", "pattern", "rules", "targets", "dry_run", "examples", "rules_as_of",
    ]

    /// The start of the range.
    public var from: Bound
    /// The end of the range.
    public var to: Bound
    /// Only events this pattern matches are replayed (EventBridge syntax), when given.
    public var pattern: JSONValue?
    /// The rules to report on, when given (every rule otherwise).
    public var rules: [String]?
    /// The targets to report on, when given (every target otherwise); with `dry_run: false`, the
    /// targets the replay delivers to (required then).
    public var targets: [String]?
    /// Report what would happen, sending nothing; `false` also delivers to ``targets``.
    public var dryRun: Bool
    /// How many examples of each kind the report keeps.
    public var examples: Int
    /// Run the rules defined through the API as they stood at this sequence number (folded from the
    /// log's `tocsin.rule.*` events) instead of the current ones; `nil` runs the current rules.
    public var rulesAsOf: Int64?

    /// Creates a request.
    public init(
        from: Bound,
        to: Bound,
        pattern: JSONValue? = nil,
        rules: [String]? = nil,
        targets: [String]? = nil,
        dryRun: Bool = true,
        examples: Int = 10,
        rulesAsOf: Int64? = nil
    ) {
        self.from = from
        self.to = to
        self.pattern = pattern
        self.rules = rules
        self.targets = targets
        self.dryRun = dryRun
        self.examples = examples
        self.rulesAsOf = rulesAsOf
    }

    /// Validates a request body, reporting every problem at once.
    ///
    /// - Parameters:
    ///   - json: The body.
    ///   - maximumExamples: The most examples a request may ask for.
    /// - Throws: ``Violations`` listing every problem with its JSON pointer.
    public init(json: JSONValue, maximumExamples: Int = 1000) throws(Violations) {
        var problems: [Violation] = []
        guard case .object(let object) = json else {
            throw Violations(violations: [
                Violation(
                    path: "",
                    message: "must be a JSON object such as {\"from\": 1, \"to\": 100, \"dry_run\": true}"
                )
            ])
        }
        for member in object.members where !Self.members.contains(member.name) {
            problems.append(
                Violation(
                    path: "/" + member.name,
                    message: "is not a replay member; use \(Self.members.sorted().joined(separator: ", "))"
                )
            )
        }
        let from = Self.bound(json["from"], "from", into: &problems)
        let to = Self.bound(json["to"], "to", into: &problems)
        if case .sequence(let first)? = from, case .sequence(let last)? = to, last < first {
            problems.append(Violation(path: "/to", message: "must not be before from"))
        }
        if case .time(let first)? = from, case .time(let last)? = to, last <= first {
            problems.append(Violation(path: "/to", message: "must be later than from (to is excluded)"))
        }
        var pattern: JSONValue?
        if let value = json["pattern"], value != .null {
            do {
                _ = try EventPattern(json: value)
                pattern = value
            } catch {
                problems.append(Violation(path: "/pattern", message: "is not a valid event pattern: \(error)"))
            }
        }
        let rules = Self.names(json["rules"], "rules", into: &problems)
        let targets = Self.names(json["targets"], "targets", into: &problems)
        var dryRun = true
        switch json["dry_run"] {
        case .bool(let value)?: dryRun = value
        case nil:
            problems.append(
                Violation(
                    path: "/dry_run",
                    message: "is required: true for a shadow report, false to also deliver to the targets"
                )
            )
        default: problems.append(Violation(path: "/dry_run", message: "must be true or false"))
        }
        if !dryRun, json["targets"] == nil || json["targets"] == .null {
            problems.append(
                Violation(
                    path: "/targets",
                    message:
                        "is required when dry_run is false: name the targets the replay delivers to (or set dry_run to true for a shadow report)"
                )
            )
        }
        var examples = 10
        if let value = json["examples"] {
            if case .number(let number) = value, let count = number.int64Value, count >= 0, count <= maximumExamples {
                examples = Int(count)
            } else {
                problems.append(
                    Violation(path: "/examples", message: "must be an integer from 0 to \(maximumExamples)")
                )
            }
        }
        var rulesAsOf: Int64?
        if let value = json["rules_as_of"], value != .null {
            if case .number(let number) = value, let sequence = number.int64Value, sequence >= 1 {
                rulesAsOf = sequence
            } else {
                problems.append(Violation(path: "/rules_as_of", message: "must be a sequence number (1 or more)"))
            }
        }
        guard problems.isEmpty, let from, let to else {
            throw Violations(violations: problems)
        }
        self.init(
            from: from,
            to: to,
            pattern: pattern,
            rules: rules,
            targets: targets,
            dryRun: dryRun,
            examples: examples,
            rulesAsOf: rulesAsOf
        )
    }

    private static func bound(_ value: JSONValue?, _ name: String, into problems: inout [Violation]) -> Bound? {
        switch value {
        case .number(let number)?:
            if let sequence = number.int64Value, sequence >= 1 {
                return .sequence(sequence)
            }
        case .string(let text)?:
            if let time = Timestamp(rfc3339: text) {
                return .time(time.epochMilliseconds)
            }
        case nil:
            problems.append(Violation(path: "/" + name, message: "is required: a sequence number or an RFC 3339 time"))
            return nil
        default:
            break
        }
        problems.append(
            Violation(
                path: "/" + name,
                message: "must be a sequence number (1 or more) or an RFC 3339 time such as 2026-11-01T00:00:00Z"
            )
        )
        return nil
    }

    private static func names(_ value: JSONValue?, _ name: String, into problems: inout [Violation]) -> [String]? {
        guard let value, value != .null else {
            return nil
        }
        guard case .array(let items) = value, !items.isEmpty else {
            problems.append(
                Violation(path: "/" + name, message: "must be a non-empty array of names (or left out for all)")
            )
            return nil
        }
        var names: [String] = []
        for (index, item) in items.enumerated() {
            guard let text = item.stringValue, !text.isEmpty else {
                problems.append(Violation(path: "/\(name)/\(index)", message: "must be a non-empty string"))
                continue
            }
            names.append(text)
        }
        return names
    }

    /// The request as JSON, as stored and shown (times as RFC 3339 text).
    public var json: JSONValue {
        func bound(_ bound: Bound) -> JSONValue {
            switch bound {
            case .sequence(let sequence): .number(JSONNumber(sequence))
            case .time(let time): .string(Timestamp(epochMilliseconds: time).text)
            }
        }
        var members: [JSONObject.Member] = [
            .init(name: "from", value: bound(from)),
            .init(name: "to", value: bound(to)),
        ]
        if let pattern {
            members.append(.init(name: "pattern", value: pattern))
        }
        if let rules {
            members.append(.init(name: "rules", value: .array(rules.map(JSONValue.string))))
        }
        if let targets {
            members.append(.init(name: "targets", value: .array(targets.map(JSONValue.string))))
        }
        members.append(.init(name: "dry_run", value: .bool(dryRun)))
        members.append(.init(name: "examples", value: .number(JSONNumber(Int64(examples)))))
        if let rulesAsOf {
            members.append(.init(name: "rules_as_of", value: .number(JSONNumber(rulesAsOf))))
        }
        return .object(JSONObject(members))
    }
}
