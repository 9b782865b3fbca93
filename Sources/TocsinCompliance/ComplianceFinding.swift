// SPDX-License-Identifier: Apache-2.0

/// One category of sensitive data found in one string value of an event.
///
/// A finding names where the data is, never what it is: reports, logs and problem documents can
/// carry it without leaking the value.
public struct ComplianceFinding: Sendable, Hashable, CustomStringConvertible {
    /// What kind of data was found.
    public var category: ComplianceCategory
    /// Where it was found, as a JSON path such as `$.detail.user.email` or `$.items[2]['e-mail']`.
    public var path: String

    /// A finding of `category` at `path`.
    public init(category: ComplianceCategory, path: String) {
        self.category = category
        self.path = path
    }

    /// `category at path`.
    public var description: String {
        "\(category.rawValue) at \(path)"
    }
}
