// SPDX-License-Identifier: Apache-2.0

public import TocsinCore
import TocsinRules

/// One inline test of a pattern rule: events, and what the rule must do with them.
///
/// ```yaml
/// tests:
///   - event: {type: ssh.login.failed, ocsf: {src_endpoint: {ip: 203.0.113.9}}}
///     match: true
///   - events: [{…}, {…}, {…}, {…}, {…}]     # a threshold rule: five events, in order
///     alerts: 1
/// ```
///
/// Events are match documents (the CloudEvent JSON, with `ocsf` for a native record); a threshold
/// test counts them on their `time` (RFC 3339), or all at once when they have none.
public struct RuleTest: Sendable, Hashable {
    /// What the rule must do.
    public enum Expectation: Sendable, Hashable {
        /// Match every event (true), or none of them (false).
        case match(Bool)
        /// Raise this many alerts over the events (threshold rules).
        case alerts(Int)
    }

    /// The most events one test may hold.
    public static let maximumEvents = 10_000

    /// The events, in order.
    public var events: [JSONValue]
    /// What the rule must do with them.
    public var expectation: Expectation

    /// Reads one test, adding a diagnostic for each problem.
    init?(_ value: JSONValue, path: String, diagnostics: inout [ConfigDiagnostic]) {
        guard var reader = ObjectReader(value, path: path, diagnostics: &diagnostics) else {
            return nil
        }
        var events: [JSONValue] = []
        if let event = reader.value("event") {
            events = [event]
        }
        if case .array(let list)? = reader.value("events"), list.count <= Self.maximumEvents {
            events += list
        }
        var expectation: Expectation?
        if reader.value("match") != nil {
            expectation = .match(reader.bool("match", default: false))
        }
        if reader.value("alerts") != nil {
            expectation = .alerts(Int(reader.integer("alerts", default: 0, range: 0...Int64(Self.maximumEvents))))
        }
        if events.isEmpty {
            reader.diagnostics.append(
                ConfigDiagnostic(
                    path: path,
                    message: "a test needs 'event' (one event) or 'events' (a list of at most \(Self.maximumEvents))"
                )
            )
        }
        if expectation == nil {
            reader.diagnostics.append(
                ConfigDiagnostic(path: path, message: "a test needs 'match: true|false' or 'alerts: N'")
            )
        }
        reader.rejectUnknown()
        diagnostics += reader.diagnostics
        guard reader.diagnostics.isEmpty, let expectation else {
            return nil
        }
        self.events = events
        self.expectation = expectation
    }

    /// The test as JSON, for the API and the log.
    public var json: JSONValue {
        var members: [JSONObject.Member] = [.init(name: "events", value: .array(events))]
        switch expectation {
        case .match(let match): members.append(.init(name: "match", value: .bool(match)))
        case .alerts(let count): members.append(.init(name: "alerts", value: .number(JSONNumber(Int64(count)))))
        }
        return .object(JSONObject(members))
    }

    /// What the rule did with the events: the same shape as the expectation.
    ///
    /// - Parameter rule: The rule under test.
    /// - Returns: The outcome; the test passes when it equals ``expectation``.
    public func outcome(of rule: RuleDefinition) -> Expectation {
        if case .match(let expected) = expectation {
            // Every event must match (true), or none may (false).
            let results = events.map { rule.pattern.matches($0) }
            return .match(expected ? results.allSatisfy { $0 } : results.contains(true))
        }
        guard rule.isDetection else {
            return .alerts(0)
        }
        var enabled = rule
        enabled.enabled = true
        return .alerts(alertCount(DetectionTable(rules: [enabled])))
    }

    /// What the Sigma rule or correlation `reference` of `definitions` did with the events (Tocsin
    /// events: CloudEvent JSON whose `data` is the record, selected by the log-source mapping).
    ///
    /// `match` asks whether the rule matched every event (true) or none (false); `alerts` counts the
    /// alerts raised over the events in order, on their `time` (a correlation's, chained ones included).
    ///
    /// - Returns: The outcome, or nil when no rule or correlation has that reference.
    public func outcome(ofSigma reference: String, in definitions: SigmaDefinitions) -> Expectation? {
        guard let table = try? DetectionTable.only(reference, rules: [], sigma: definitions) else {
            return nil
        }
        if case .match(let expected) = expectation {
            let context = DetectionContext()
            let results = events.map { table.evaluate($0, context: context).sigmaMatches.contains(0) }
            return .match(expected ? results.allSatisfy { $0 } : results.contains(true))
        }
        return .alerts(alertCount(table))
    }

    /// The alerts `table` raises over the events, in order, each at its `time` (all at once without).
    private func alertCount(_ table: DetectionTable) -> Int {
        guard var engines = try? DetectionEngines(table: table) else {
            return 0
        }
        let context = DetectionContext()
        var alerts = 0
        for (index, event) in events.enumerated() {
            let time = DetectionEngines.time(of: event, fallback: 0)
            alerts += engines.advanceAbsences(to: time, sequence: Int64(index + 1)).count
            let evaluation = table.evaluate(event, context: context)
            alerts += evaluation.sigmaAlerts.count
            alerts += engines.observe(evaluation, sequence: Int64(index + 1), time: time).count
        }
        return alerts + engines.finish().count
    }

    /// The inline tests under the object's `tests` key (none when absent); problems go to the
    /// reader's diagnostics.
    static func list(from reader: inout ObjectReader) -> [RuleTest] {
        guard let list = reader.value("tests") else {
            return []
        }
        guard case .array(let elements) = list else {
            reader.diagnostics.append(ConfigDiagnostic(path: "$.tests", message: "must be a list of tests"))
            return []
        }
        return elements.enumerated().compactMap { index, element in
            RuleTest(element, path: "$.tests[\(index)]", diagnostics: &reader.diagnostics)
        }
    }
}
