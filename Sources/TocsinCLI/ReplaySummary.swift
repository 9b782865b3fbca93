// SPDX-License-Identifier: Apache-2.0

import Foundation
import TocsinCore

/// The text forms of a replay's status: one line for lists, a summary with the report for one replay.
enum ReplaySummary {
    /// `id  status  first-last  percent  created`.
    static func line(_ status: JSONValue) -> String {
        [
            value(status["id"]),
            status["status"]?.stringValue ?? "?",
            "seq \(value(status["range"]?["first_seq"]))-\(value(status["range"]?["last_seq"]))",
            "\(value(status["progress"]?["percent"]))%",
            status["created"]?.stringValue ?? "-",
        ]
        .joined(separator: "  ")
    }

    /// The status line, then the report's totals, rules, targets and examples.
    static func text(_ status: JSONValue) -> String {
        var lines = [
            "replay \(value(status["id"])) \(status["status"]?.stringValue ?? "?"): "
                + "seq \(value(status["range"]?["first_seq"]))-\(value(status["range"]?["last_seq"])), "
                + "\(value(status["progress"]?["percent"]))%, restarts \(value(status["restarts"]))"
        ]
        if let error = status["error"]?.stringValue {
            lines.append("error: \(error)")
        }
        if case .object(let queued)? = status["deliveries"] {
            lines.append(
                "delivered as replay \(value(status["id"])): "
                    + queued.members.map { "\($0.name) \(value($0.value))" }.joined(separator: ", ")
            )
        }
        guard let report = status["report"], case .object = report else {
            return lines.joined(separator: "\n")
        }
        lines.append(
            ["events", "replayed", "matched", "alerts", "deliveries", "late"].map { "\($0) \(value(report[$0]))" }
                .joined(separator: ", ")
        )
        if case .object(let rules)? = report["rules"], !rules.members.isEmpty {
            lines.append("rules:")
            for rule in rules.members {
                lines.append(
                    "  \(rule.name)  matched \(value(rule.value["matched"]))  alerts \(value(rule.value["alerts"]))"
                        + "  deliveries \(value(rule.value["deliveries"]))"
                )
            }
        }
        if case .object(let targets)? = report["targets"], !targets.members.isEmpty {
            lines.append("targets:")
            for target in targets.members {
                lines.append(
                    "  \(target.name)  deliveries \(value(target.value["deliveries"]))"
                        + "  dry runs \(value(target.value["dry_runs"]))"
                )
            }
        }
        for kind in ["matches", "alerts", "deliveries"] {
            guard case .array(let examples)? = report["examples"]?[kind], !examples.isEmpty else {
                continue
            }
            lines.append("first \(kind):")
            for example in examples {
                var line = "  seq \(value(example["seq"]))  \(example["rule"]?.stringValue ?? "?")"
                if let target = example["target"]?.stringValue {
                    line += " -> \(target)"
                }
                if let title = example["alert"]?["title"]?.stringValue {
                    line += "  \(title)"
                }
                lines.append(line)
            }
        }
        return lines.joined(separator: "\n")
    }

    private static func value(_ value: JSONValue?) -> String {
        guard let value else {
            return "?"
        }
        return value.stringValue ?? JSONWriter().string(value)
    }
}

/// A replay's progress on standard error: a bar on a terminal, a line per tenth otherwise.
struct ReplayProgress {
    enum Mode {
        case bar
        case lines
        case silent
    }

    let mode: Mode
    private var lastTenth = -1

    init(mode: Mode) {
        self.mode = mode
    }

    mutating func show(_ status: JSONValue) {
        let percent = Self.percent(status)
        let processed = status["progress"].flatMap { $0["processed"] }.map { JSONWriter().string($0) } ?? "0"
        let total = status["range"].flatMap { $0["events"] }.map { JSONWriter().string($0) } ?? "?"
        switch mode {
        case .bar:
            let filled = min(30, percent * 30 / 100)
            let bar = String(repeating: "=", count: filled) + String(repeating: " ", count: 30 - filled)
            FileHandle.standardError.write(Data("\r[\(bar)] \(percent)% \(processed)/\(total) events".utf8))
        case .lines:
            guard percent / 10 != lastTenth else {
                return
            }
            lastTenth = percent / 10
            FileHandle.standardError.write(Data("replay: \(percent)% (\(processed)/\(total) events)\n".utf8))
        case .silent:
            return
        }
    }

    mutating func finish(_ status: JSONValue) {
        show(status)
        if mode == .bar {
            FileHandle.standardError.write(Data("\n".utf8))
        }
    }

    private static func percent(_ status: JSONValue) -> Int {
        guard case .number(let number)? = status["progress"]?["percent"], let value = number.int64Value else {
            return 0
        }
        return Int(value)
    }
}
