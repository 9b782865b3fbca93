// SPDX-License-Identifier: Apache-2.0

/// A rule's `logsource`: which kind of log it is written for.
///
/// Sigma does not match it against events; Tocsin uses it to pick the events a rule applies to
/// (``SigmaLogSourceMapping``) and the field renames to apply (``SigmaFieldMapping``).
public struct SigmaLogSource: Sendable, Hashable {
    /// `product`, lower case (`aws`, `azure`, `linux`).
    public var product: String?
    /// `service`, lower case (`cloudtrail`, `sshd`).
    public var service: String?
    /// `category`, lower case (`process_creation`).
    public var category: String?
    /// The free-text `definition`.
    public var definition: String?

    /// Creates a log source.
    public init(product: String? = nil, service: String? = nil, category: String? = nil, definition: String? = nil) {
        self.product = product
        self.service = service
        self.category = category
        self.definition = definition
    }

    /// Whether `selector` (a mapping entry's log source) applies to this one: every part the selector
    /// names is equal here, ignoring case.
    public func isSelected(by selector: SigmaLogSource) -> Bool {
        func agrees(_ wanted: String?, _ actual: String?) -> Bool {
            guard let wanted else {
                return true
            }
            return actual?.lowercased() == wanted.lowercased()
        }
        return agrees(selector.product, product) && agrees(selector.service, service)
            && agrees(selector.category, category)
    }

    /// How many parts the selector names (more specific selectors win).
    var specificity: Int {
        [product, service, category].count { $0 != nil }
    }
}
