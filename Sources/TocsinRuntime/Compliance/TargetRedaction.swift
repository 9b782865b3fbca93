// SPDX-License-Identifier: Apache-2.0

import Crypto
import TocsinCompliance
import TocsinCore

/// Per-target redaction (`redact_categories`, docs/compliance.md): the event a target receives
/// with every value that holds one of the named categories removed.
enum TargetRedaction {
    /// The redaction policy only drops values, so its hash key is never used.
    private static let unusedHashKey = SymmetricKey(size: .bits256)

    /// `logged` without the values that hold one of `categories` in its data, OCSF view,
    /// enrichment and `subject`; unchanged when `categories` is empty.
    static func apply(_ categories: ComplianceCategorySet, to logged: LoggedEvent) -> LoggedEvent {
        guard !categories.isEmpty else {
            return logged
        }
        let policy = CompliancePolicy.redaction(removing: categories)
        var redacted = logged
        if case .json(let bytes)? = logged.event.data {
            let data = (try? JSONParser().parse(bytes)).map { apply(policy, to: $0) } ?? .null
            redacted.event.data = .json(JSONWriter().bytes(data))
        }
        redacted.ocsf = logged.ocsf.map { apply(policy, to: $0) }
        redacted.enrichment = logged.enrichment.map { apply(policy, to: $0) }
        if let subject = logged.event.subject,
            !ComplianceScanner().categories(in: subject).intersection(categories).isEmpty
        {
            redacted.event.subject = nil
        }
        return redacted
    }

    private static func apply(_ policy: CompliancePolicy, to value: JSONValue) -> JSONValue {
        switch policy.apply(to: value, source: "", type: "", hashKey: unusedHashKey) {
        case .accept(let data, _):
            return data
        case .reject:
            // A redaction policy has no reject rule; send nothing rather than the values.
            return .null
        }
    }
}
