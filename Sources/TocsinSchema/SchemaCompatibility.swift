// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// Which direction a new schema version must stay compatible in.
public enum SchemaCompatibilityMode: String, Sendable, Hashable, CaseIterable {
    /// No check: any new version is accepted.
    case none
    /// The new schema accepts every event the previous one accepted (consumers can upgrade first).
    case backward
    /// The previous schema accepts every event the new one accepts (producers can upgrade first).
    case forward
    /// Both backward and forward.
    case full
}

/// One way a schema version rejects events that another version accepted.
public struct SchemaChange: Sendable, Hashable, CustomStringConvertible {
    /// Which check found it: `backward` (the new version is stricter) or `forward` (the new version is looser).
    public var direction: SchemaCompatibilityMode
    /// The JSON pointer in the stricter schema where the difference is, for example `/properties/user/required`.
    public var location: String
    /// The keyword concerned.
    public var keyword: String
    /// What changed, for example `new required property "region"`.
    public var message: String

    /// Creates a change.
    public init(direction: SchemaCompatibilityMode, location: String, keyword: String, message: String) {
        self.direction = direction
        self.location = location
        self.keyword = keyword
        self.message = message
    }

    /// `direction: location: message`.
    public var description: String {
        "\(direction.rawValue): \(location.isEmpty ? "/" : location): \(message)"
    }
}

/// Compares two schema versions and lists what breaks compatibility.
///
/// The comparison is structural and conservative: it understands `type`, `properties`, `required`,
/// `additionalProperties`, `enum`, `const`, the numeric, length and count bounds, `items`, `prefixItems`
/// and `uniqueItems`, recursing through nested objects and arrays. Any other assertion keyword whose value
/// differs between the versions (`allOf`, `$ref`, `pattern`…) is reported as a change whose compatibility
/// cannot be proved, never silently passed.
public enum SchemaCompatibility: Sendable {
    /// Every change that breaks `mode` when `new` replaces `old`; empty when the new version is compatible.
    public static func check(old: JSONValue, new: JSONValue, mode: SchemaCompatibilityMode) -> [SchemaChange] {
        var changes: [SchemaChange] = []
        if mode == .backward || mode == .full {
            var comparison = SchemaNarrowing(direction: .backward)
            comparison.compare(accepted: old, candidate: new, at: "")
            changes += comparison.changes
        }
        if mode == .forward || mode == .full {
            var comparison = SchemaNarrowing(direction: .forward)
            comparison.compare(accepted: new, candidate: old, at: "")
            changes += comparison.changes
        }
        return changes
    }
}
