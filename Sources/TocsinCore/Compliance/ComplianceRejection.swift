// SPDX-License-Identifier: Apache-2.0

/// An append refused because the compliance policy rejects an entry (docs/compliance.md).
///
/// It names the entry, the field and the category of what was found there, never the value, so
/// the HTTP layer can answer `400` with it as it is.
public struct ComplianceRejection: Error, Sendable, Hashable, CustomStringConvertible {
    /// The position of the rejected entry among the entries of the append, from 0.
    public var entryIndex: Int
    /// The JSON path of the field in the event, such as `$.data.user.email`.
    public var path: String
    /// The category found there, such as `email`.
    public var category: String

    /// A rejection of the entry at `entryIndex` for `category` at `path`.
    public init(entryIndex: Int, path: String, category: String) {
        self.entryIndex = entryIndex
        self.path = path
        self.category = category
    }

    /// What was refused and how to fix it, without the value.
    public var description: String {
        "\(path) holds \(category) data, which the compliance policy rejects; remove or mask it before sending"
    }
}
