// SPDX-License-Identifier: Apache-2.0

import TocsinBundles
import TocsinCore
import TocsinResponse

/// What `tocsin audit verify-bundle` prints about a bundle that verified, or about its failure.
enum BundleSummary {
    /// Lines for a person: the subject, the rule, the actions, the checkpoints.
    static func text(_ report: ProofBundleVerifier.Report) -> String {
        let bundle = report.bundle
        var lines: [String] = []
        if let alert = report.alert {
            lines.append(
                "OK: alert \(report.subject.event.id) (record \(bundle.subject)): rule \(alert.rule), level "
                    + "\(alert.level.rawValue), \(report.evidence.count) evidence events, \(report.actions.count) actions."
            )
            lines.append("Rule: " + ruleLine(bundle.rule, record: report.rule))
        } else {
            lines.append(
                "OK: event \(report.subject.event.id) from \(report.subject.event.source) (record \(bundle.subject)), "
                    + "type \(report.subject.event.type), \(report.actions.count) actions."
            )
        }
        for (sequence, record) in zip(bundle.evidence, report.evidence) {
            lines.append("Evidence: record \(sequence) \(record.event.type) from \(record.event.source)")
        }
        for (sequence, record) in zip(bundle.actions, report.actions) {
            lines.append("Action: record \(sequence) " + actionLine(record))
        }
        let checkpoints = report.checkpoints.map { String($0.sequence) }.joined(separator: ", ")
        lines.append("Proven by \(report.checkpoints.count) checkpoints (\(checkpoints)) signed by the given key.")
        return lines.joined(separator: "\n")
    }

    /// One JSON object for scripts.
    static func json(_ report: ProofBundleVerifier.Report) -> JSONValue {
        let bundle = report.bundle
        let number = { (value: Int64) in JSONValue.number(JSONNumber(value)) }
        let event = { (sequence: Int64, record: CanonicalRecord) -> JSONValue in
            .object(
                JSONObject([
                    .init(name: "seq", value: number(sequence)),
                    .init(name: "id", value: .string(record.event.id)),
                    .init(name: "source", value: .string(record.event.source)),
                    .init(name: "type", value: .string(record.event.type)),
                ])
            )
        }
        var members: [JSONObject.Member] = [
            .init(name: "ok", value: .bool(true)),
            .init(name: "kind", value: .string(bundle.kind.rawValue)),
            .init(name: "subject", value: event(bundle.subject, report.subject)),
            .init(name: "alert", value: report.alert?.json ?? .null),
            .init(name: "evidence", value: .array(zip(bundle.evidence, report.evidence).map(event))),
            .init(name: "actions", value: .array(zip(bundle.actions, report.actions).map(event))),
            .init(name: "checkpoints", value: .array(report.checkpoints.map { number($0.sequence) })),
        ]
        if case .object(let bundleJSON) = bundle.json, let rule = bundleJSON["rule"] {
            members.insert(.init(name: "rule", value: rule), at: 5)
        }
        return .object(JSONObject(members))
    }

    /// `{"ok": false, "code", "message", "seq"}`.
    static func json(_ error: any Error) -> JSONValue {
        let bundleError = error as? BundleError
        return .object(
            JSONObject([
                .init(name: "ok", value: .bool(false)),
                .init(name: "code", value: .string(bundleError.map { "\($0.code)" } ?? "error")),
                .init(name: "message", value: .string(bundleError?.message ?? "\(error)")),
                .init(name: "seq", value: bundleError?.sequence.map { .number(JSONNumber($0)) } ?? .null),
            ])
        )
    }

    private static func ruleLine(_ rule: ProofBundle.Rule?, record: CanonicalRecord?) -> String {
        guard let rule, let sequence = rule.sequence else {
            return "\(rule?.name ?? "?") is not defined in the log (a built-in rule, or defined before the log began)."
        }
        guard let sha256 = rule.sha256, let text = rule.text else {
            return
                "\(rule.name) was loaded from the rules directory (record \(sequence)) by a version that logged names only."
        }
        let origin =
            record?.event.type == "tocsin.rule.loaded"
            ? "loaded from the rules directory (\(record?.jsonData?["file"]?.stringValue ?? "?"))"
            : "defined through the API"
        return "\(rule.name) \(origin) in record \(sequence), sha256 \(Hex.encode(sha256)):\n\(text)"
    }

    private static func actionLine(_ record: CanonicalRecord) -> String {
        let data = record.jsonData
        let detail = [
            data?["target"]?.stringValue.map { "target \($0)" },
            data?["attempt"].map { "attempt \(JSONWriter().string($0))" },
            data?["status"].map { "status \(JSONWriter().string($0))" },
            data?["reason"]?.stringValue.map { "reason \($0)" },
        ]
        .compactMap { $0 }
        return record.event.type + (detail.isEmpty ? "" : " (" + detail.joined(separator: ", ") + ")")
    }
}
