// SPDX-License-Identifier: Apache-2.0

/// What every console page shows around its content: the title, the navigation, who is logged in,
/// and the logout form with the session's CSRF token.
public struct PageChrome: Sendable {
    /// One navigation link.
    public struct Link: Sendable, Hashable {
        /// The link text.
        public var title: String
        /// The page it opens.
        public var href: String
        /// Whether it is the page being shown.
        public var isCurrent: Bool
    }

    /// The pages of the console, in navigation order.
    public enum Section: String, CaseIterable, Sendable {
        /// The live events page.
        case events
        /// Alerts and incidents.
        case incidents
        /// Rules with their state and match counts.
        case rules
        /// Targets with breaker states, and the dead-letter queue.
        case targets
        /// Ingest and delivery rates.
        case charts
        /// The chain's last checkpoint and verification.
        case audit

        /// The navigation text.
        public var title: String {
            switch self {
            case .events: "Events"
            case .incidents: "Alerts & incidents"
            case .rules: "Rules"
            case .targets: "Targets & DLQ"
            case .charts: "Charts"
            case .audit: "Audit"
            }
        }
    }

    /// The page title.
    public var title: String
    /// The navigation links.
    public var links: [Link]
    /// The logged-in identity.
    public var identity: String
    /// The session's CSRF token, for every form.
    public var csrf: String
    /// A one-line notice (the outcome of the last action), or `nil`.
    public var notice: String?
    /// A one-line error (an action the API refused), or `nil`.
    public var error: String?

    /// Creates the chrome of a page in `section`.
    public init(
        section: Section,
        title: String? = nil,
        identity: String,
        csrf: String,
        notice: String? = nil,
        error: String? = nil
    ) {
        self.title = title ?? section.title
        self.links = Section.allCases.map {
            Link(title: $0.title, href: "/ui/\($0.rawValue)", isCurrent: $0 == section)
        }
        self.identity = identity
        self.csrf = csrf
        self.notice = notice
        self.error = error
    }
}
