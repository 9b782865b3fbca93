// SPDX-License-Identifier: Apache-2.0

/// What a caller supplies to compile Sigma rules.
public struct SigmaCompileOptions: Sendable {
    /// Values of `expand` placeholders, by name without the `%` signs (`Legitimate_Countries`).
    ///
    /// A rule whose placeholder has no entry is rejected (`SIGMA-E005`). Default: none.
    public var placeholders: [String: [String]]
    /// Field renames per log source, applied to the rule's field names before matching.
    ///
    /// Default: ``SigmaFieldMapping/defaults``.
    public var fieldMapping: SigmaFieldMapping

    /// Creates options.
    public init(placeholders: [String: [String]] = [:], fieldMapping: SigmaFieldMapping = .defaults) {
        self.placeholders = placeholders
        self.fieldMapping = fieldMapping
    }
}
