// SPDX-License-Identifier: Apache-2.0

/// The descriptive part of a Sigma detection rule (everything but `detection`).
///
/// Custom keys are ignored, as the specification requires.
public struct SigmaRuleMetadata: Sendable, Hashable {
    /// `id`, normally a UUID.
    public var id: String?
    /// `name`, a unique handle correlations may use instead of the id.
    public var name: String?
    /// `title` (required).
    public var title: String
    /// `status` (`stable`, `test`, `experimental`, `deprecated`, `unsupported`).
    public var status: String?
    /// `level` (`informational`, `low`, `medium`, `high`, `critical`).
    public var level: String?
    /// `tags` (`attack.t1078`).
    public var tags: [String]
    /// `author`; the Detection Rule License requires alerts to carry it.
    public var author: String?
    /// `description`.
    public var description: String?
    /// `references`.
    public var references: [String]
    /// `falsepositives`.
    public var falsePositives: [String]
    /// `logsource`.
    public var logSource: SigmaLogSource

    /// Creates metadata.
    public init(
        id: String? = nil,
        name: String? = nil,
        title: String,
        status: String? = nil,
        level: String? = nil,
        tags: [String] = [],
        author: String? = nil,
        description: String? = nil,
        references: [String] = [],
        falsePositives: [String] = [],
        logSource: SigmaLogSource = SigmaLogSource()
    ) {
        self.id = id
        self.name = name
        self.title = title
        self.status = status
        self.level = level
        self.tags = tags
        self.author = author
        self.description = description
        self.references = references
        self.falsePositives = falsePositives
        self.logSource = logSource
    }

    /// The id, else the name, else the title: what outputs name the rule by.
    public var reference: String {
        id ?? name ?? title
    }
}
