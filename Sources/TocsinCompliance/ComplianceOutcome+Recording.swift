// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// An ingest outcome as an event's enrichment records it under `compliance`: the action, the
/// category and the path in the event (never the value).
///
/// The log records each outcome as one string, `"<action> <category> <event path>"` (such as
/// `"report ip_address $.data.sourceIPAddress"`), which every reader of the record parses again;
/// logs written before 2026-12-05 hold objects (`{"category", "path", "action"}`), which
/// ``outcomes(inEnrichment:)`` still reads.
public struct RecordedComplianceOutcome: Sendable, Hashable {
    /// The action the policy took.
    public var action: ComplianceAction
    /// The category found.
    public var category: ComplianceCategory
    /// Where, as a path in the event (`$.data…`).
    public var path: String

    /// An outcome of `action` for `category` at `path`.
    public init(action: ComplianceAction, category: ComplianceCategory, path: String) {
        self.action = action
        self.category = category
        self.path = path
    }

    /// The recorded outcome of `outcome` (its data path turned into an event path).
    public init(_ outcome: ComplianceOutcome) {
        self.init(
            action: outcome.action,
            category: outcome.finding.category,
            path: ComplianceRule.eventPath(ofDataPath: outcome.finding.path)
        )
    }

    /// The string the log records: `"<action> <category> <event path>"`.
    public var recordedForm: String {
        "\(action.rawValue) \(category.rawValue) \(path)"
    }

    /// The outcome `text` records, or `nil` when it is not one.
    ///
    /// Actions and categories hold no space, so the path is everything after the second space
    /// (a member name may hold spaces).
    public init?(recordedForm text: String) {
        let parts = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let action = ComplianceAction(rawValue: String(parts[0])),
            let category = ComplianceCategory(rawValue: String(parts[1])), parts[2].hasPrefix("$")
        else {
            return nil
        }
        self.init(action: action, category: category, path: String(parts[2]))
    }

    /// The outcomes `enrichment` records under `compliance`, in either form; entries that are
    /// neither are skipped.
    public static func outcomes(inEnrichment enrichment: JSONValue) -> [RecordedComplianceOutcome] {
        guard case .array(let entries)? = enrichment["compliance"] else {
            return []
        }
        return entries.compactMap { entry in
            if case .string(let text) = entry {
                return RecordedComplianceOutcome(recordedForm: text)
            }
            guard let action = entry["action"]?.stringValue.flatMap(ComplianceAction.init(rawValue:)),
                let category = entry["category"]?.stringValue.flatMap(ComplianceCategory.init(rawValue:)),
                let path = entry["path"]?.stringValue
            else {
                return nil
            }
            return RecordedComplianceOutcome(action: action, category: category, path: path)
        }
    }
}
