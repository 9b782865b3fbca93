// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// Reads one Sigma field from records, as rules see it: a correlation's `group-by` fields and
/// `value_count` field.
///
/// The field is renamed by the field mapping of the rule's log source, then resolved like a rule
/// field (dotted member names, transparent arrays); the value is the first comparable text found
/// (strings as they are, numbers by their JSON text, booleans as `true`/`false`, objects as their
/// compact JSON), `nil` when the field is absent or `null`.
public struct SigmaFieldReader: Sendable, Hashable {
    private let path: SigmaFieldPath

    /// A reader for `field` in records of `logSource`.
    public init(field: String, logSource: SigmaLogSource, mapping: SigmaFieldMapping = .defaults) {
        path = SigmaFieldPath(mapping.map(field, logSource: logSource))
    }

    /// The field's text in `record`, or `nil`.
    public func text(in record: JSONValue) -> String? {
        var found: String?
        path.forEachNode(in: record) { node in
            SigmaValues.forEachText(node) { text in
                found = text
                return true
            }
        }
        return found
    }
}
