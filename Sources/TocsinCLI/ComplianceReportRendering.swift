// SPDX-License-Identifier: Apache-2.0

import Foundation
import TocsinCompliance
import TocsinCore
import TocsinStore

/// `tocsin compliance report` as Markdown and JSON: the same facts, in the same order.
struct ComplianceReportRendering {
    let report: ComplianceReport
    let controls: ComplianceHistory.Controls

    /// One control: what it is, the articles and criteria it serves, and its state in this log.
    struct Control {
        var name: String
        var frameworks: String
        var state: String
    }

    var controlRows: [Control] {
        let findings = report.findings.values.reduce(0, +)
        let withFindings = report.sources.values.reduce(0) { $0 + $1.eventsWithFindings }
        let acted = report.ingestActions.filter { $0.key != .report }.values.reduce(0) { $0 + $1.values.reduce(0, +) }
        let oldest = report.ingestRange.map { Timestamp(epochMilliseconds: $0.lowerBound).description } ?? "none"
        return [
            Control(
                name: "Personal and secret data in the log",
                frameworks: "GDPR Art. 30; CCPA 1798.100; HIPAA 164.514",
                state: "\(findings) findings in \(withFindings) of \(report.events) events"
            ),
            Control(
                name: "Minimisation at ingest (compliance policy)",
                frameworks: "GDPR Art. 5(1)(c), Art. 25",
                state: controls.complianceKey
                    ? "a policy ran at ingest; \(acted) values masked, hashed or dropped"
                    : "no compliance policy has run (tocsin serve --compliance-policy)"
            ),
            Control(
                name: "Encryption of personal fields, erasure",
                frameworks: "GDPR Art. 17, Art. 32; CCPA 1798.105; HIPAA 164.312(a)(2)(iv)",
                state: report.sealedEvents > 0
                    ? "\(report.sealedEvents) events carry personal fields sealed with a per-subject key (erasable)"
                    : "no sealed personal fields (tocsin serve --personal-data)"
            ),
            Control(
                name: "Integrity of the log",
                frameworks: "HIPAA 164.312(b), 164.312(c)(1); SOC 2 CC7.2",
                state: "hash chain; \(controls.signedCheckpoints) signed checkpoints (verify: tocsin audit verify)"
            ),
            Control(
                name: "Access control",
                frameworks: "HIPAA 164.312(a)(1); SOC 2 CC6.1",
                state: "\(controls.activeIdentities) active identities (\(controls.adminIdentities) admin), "
                    + "\(controls.revokedIdentities) revoked"
            ),
            Control(
                name: "Retention",
                frameworks: "GDPR Art. 5(1)(e); SOC 2 C1.2",
                state: "oldest event in range: \(oldest)"
            ),
        ]
    }

    func markdown() -> String {
        var text = "# Tocsin compliance report\n\n## What is logged\n\n"
        text += "- Events: \(report.events) from \(report.sources.count) sources, \(report.types.count) types\n"
        if let range = report.ingestRange {
            text += "- Ingested from \(Timestamp(epochMilliseconds: range.lowerBound)) "
            text += "to \(Timestamp(epochMilliseconds: range.upperBound))\n"
        }
        text += "- JSON data scanned: \(report.scannedBytes) bytes"
        text += report.unscannable > 0 ? "; \(report.unscannable) events could not be scanned\n" : "\n"
        text += "\n## Controls\n\n| control | frameworks | state |\n| --- | --- | --- |\n"
        for control in controlRows {
            text += "| \(control.name) | \(control.frameworks) | \(control.state) |\n"
        }
        text += "\n## Findings by category\n\n| category | findings |\n| --- | --- |\n"
        for (category, count) in report.findings.sorted(by: { $0.key < $1.key }) {
            text += "| `\(category.rawValue)` | \(count) |\n"
        }
        text +=
            "\n## Findings by source\n\n| source | events | with findings | categories |\n| --- | --- | --- | --- |\n"
        for (source, summary) in report.sources.sorted(by: { $0.key < $1.key }) where summary.eventsWithFindings > 0 {
            let categories = summary.findings.sorted { $0.key < $1.key }.map { "\($0.key.rawValue) \($0.value)" }
            text += "| `\(Self.cell(source))` | \(summary.events) | \(summary.eventsWithFindings) | "
            text += categories.joined(separator: ", ") + " |\n"
        }
        if !report.ingestActions.isEmpty {
            text += "\n## Ingest policy actions\n\n| action | categories |\n| --- | --- |\n"
            for (action, counts) in report.ingestActions.sorted(by: { $0.key < $1.key }) {
                let categories = counts.sorted { $0.key < $1.key }.map { "\($0.key.rawValue) \($0.value)" }
                text += "| `\(action.rawValue)` | " + categories.joined(separator: ", ") + " |\n"
            }
        }
        return text
    }

    func json() -> JSONValue {
        func counts(_ values: [ComplianceCategory: Int]) -> JSONValue {
            .object(
                JSONObject(
                    values.sorted { $0.key < $1.key }.map {
                        .init(name: $0.key.rawValue, value: .number(JSONNumber(Int64($0.value))))
                    }
                )
            )
        }
        func number(_ value: Int) -> JSONValue { .number(JSONNumber(Int64(value))) }
        let sources = report.sources.sorted { $0.key < $1.key }.map { source, summary in
            JSONValue.object(
                JSONObject([
                    .init(name: "source", value: .string(source)),
                    .init(name: "events", value: number(summary.events)),
                    .init(name: "events_with_findings", value: number(summary.eventsWithFindings)),
                    .init(name: "findings", value: counts(summary.findings)),
                ])
            )
        }
        let actions = report.ingestActions.sorted { $0.key < $1.key }.map {
            JSONObject.Member(name: $0.key.rawValue, value: counts($0.value))
        }
        let controlValues = controlRows.map { control in
            JSONValue.object(
                JSONObject([
                    .init(name: "control", value: .string(control.name)),
                    .init(name: "frameworks", value: .string(control.frameworks)),
                    .init(name: "state", value: .string(control.state)),
                ])
            )
        }
        var logged: [JSONObject.Member] = [
            .init(name: "events", value: number(report.events)),
            .init(name: "sources", value: number(report.sources.count)),
            .init(name: "types", value: number(report.types.count)),
            .init(name: "scanned_bytes", value: number(report.scannedBytes)),
            .init(name: "unscannable_events", value: number(report.unscannable)),
            .init(name: "sealed_events", value: number(report.sealedEvents)),
        ]
        if let range = report.ingestRange {
            logged.append(
                .init(name: "first_ingest", value: .string(Timestamp(epochMilliseconds: range.lowerBound).description))
            )
            logged.append(
                .init(name: "last_ingest", value: .string(Timestamp(epochMilliseconds: range.upperBound).description))
            )
        }
        return .object(
            JSONObject([
                .init(name: "logged", value: .object(JSONObject(logged))),
                .init(name: "controls", value: .array(controlValues)),
                .init(name: "findings", value: counts(report.findings)),
                .init(name: "sources", value: .array(sources)),
                .init(name: "ingest_actions", value: .object(JSONObject(actions))),
                .init(
                    name: "identities",
                    value: .object(
                        JSONObject([
                            .init(name: "active", value: number(controls.activeIdentities)),
                            .init(name: "admin", value: number(controls.adminIdentities)),
                            .init(name: "revoked", value: number(controls.revokedIdentities)),
                        ])
                    )
                ),
                .init(name: "signed_checkpoints", value: number(controls.signedCheckpoints)),
            ])
        )
    }

    /// `text` safe inside a Markdown table cell.
    static func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "`", with: "'")
    }
}
