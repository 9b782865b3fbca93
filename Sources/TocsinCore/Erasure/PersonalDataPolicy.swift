// SPDX-License-Identifier: Apache-2.0

/// Which fields of which events are personal data, and whose: the input of crypto-shredding.
///
/// Paths address the entry's match document: `$.data…` the event's JSON data, `$.subject` the
/// CloudEvents `subject` attribute, `$.ocsf…` the OCSF view of a native record and
/// `$.enrichment…` what enrichment found. Every copy of a personal value must be declared (a user
/// name copied into the OCSF view is a second field).
public struct PersonalDataRule: Sendable, Hashable {
    /// The first path step of each part of the document a rule may name.
    public static let sealableRoots: Set<String> = ["data", "subject", "ocsf", "enrichment"]

    /// A glob on the event `source` (`*` matches any run of characters); `nil` matches every source.
    public var source: String?
    /// A glob on the event `type`; `nil` matches every type.
    public var type: String?
    /// Where the subject is: the path whose value (a string or a number) is the data subject.
    public var subject: JSONPath
    /// The personal fields; the subject path is always sealed too.
    public var fields: [JSONPath]

    /// Creates a rule.
    public init(source: String? = nil, type: String? = nil, subject: JSONPath, fields: [JSONPath]) {
        self.source = source
        self.type = type
        self.subject = subject
        self.fields = fields
    }

    /// Whether the rule covers `event`.
    public func applies(to event: CloudEvent) -> Bool {
        (source.map { Glob.matches($0, event.source) } ?? true) && (type.map { Glob.matches($0, event.type) } ?? true)
    }

    /// The subject path, then every field that is not the subject path.
    public var sealedPaths: [JSONPath] {
        [subject] + fields.filter { $0 != subject }
    }
}

/// Every ``PersonalDataRule`` in force; an event may be covered by several.
public struct PersonalDataPolicy: Sendable, Hashable {
    /// The rules, in the order they were declared.
    public var rules: [PersonalDataRule]

    /// Creates a policy.
    public init(rules: [PersonalDataRule] = []) {
        self.rules = rules
    }

    /// Whether no rule is declared (ingest then skips the sealing step).
    public var isEmpty: Bool {
        rules.isEmpty
    }

    /// The rules that cover `event`.
    public func rules(for event: CloudEvent) -> [PersonalDataRule] {
        rules.filter { $0.applies(to: event) }
    }
}

/// Globs with `*` as the only wildcard, matched on Unicode scalars.
enum Glob {
    /// Whether `text` matches `pattern` (`*` matches any run, including an empty one).
    static func matches(_ pattern: String, _ text: String) -> Bool {
        let pattern = Array(pattern.unicodeScalars)
        let text = Array(text.unicodeScalars)
        var patternIndex = 0
        var textIndex = 0
        var star: Int?
        var resume = 0
        while textIndex < text.count {
            if patternIndex < pattern.count, pattern[patternIndex] != "*", pattern[patternIndex] == text[textIndex] {
                patternIndex += 1
                textIndex += 1
            } else if patternIndex < pattern.count, pattern[patternIndex] == "*" {
                star = patternIndex
                resume = textIndex
                patternIndex += 1
            } else if let star {
                patternIndex = star + 1
                resume += 1
                textIndex = resume
            } else {
                return false
            }
        }
        while patternIndex < pattern.count, pattern[patternIndex] == "*" {
            patternIndex += 1
        }
        return patternIndex == pattern.count
    }
}
