// SPDX-License-Identifier: Apache-2.0

/// A kind of personal or secret data that the compliance checker finds in event payloads.
///
/// The raw values are the names used on the command line, in configuration and in reports; they
/// never change.
public enum ComplianceCategory: String, Sendable, Hashable, CaseIterable, Comparable {
    /// An email address (`local@domain.tld`).
    case email
    /// A phone number in E.164 form (`+14155552671`) or a common national form (`(415) 555-2671`).
    case phone
    /// A US social security number (`ddd-dd-dddd`) outside the ranges that are never issued.
    case usSSN = "us_ssn"
    /// A payment card number that passes the Luhn check and falls in a known issuer range.
    case paymentCard = "payment_card"
    /// An international bank account number with a valid length for its country and a valid mod-97 check.
    case iban
    /// An IPv4 or IPv6 address, which GDPR treats as personal data.
    case ipAddress = "ip_address"
    /// An AWS access key id (`AKIA…`, `ASIA…`).
    case awsAccessKeyID = "aws_access_key_id"
    /// An AWS secret access key: 40 base64 characters next to a name that mentions a secret.
    case awsSecretAccessKey = "aws_secret_access_key"
    /// A PEM-encoded private key.
    case privateKey = "private_key"
    /// A JSON Web Token whose header decodes to a JSON object with an `alg` member.
    case jwt
    /// A GitHub token (`ghp_…`, `gho_…`, `ghu_…`, `ghs_…`, `ghr_…`, `github_pat_…`).
    case githubToken = "github_token"
    /// A Slack token (`xoxb-…`, `xoxp-…`, …) or incoming-webhook URL.
    case slackToken = "slack_token"
    /// A URL that carries a password in its user information (`scheme://user:password@host`).
    case passwordInURL = "password_in_url"

    /// The position of the category in ``allCases``; the order of findings within one value.
    var ordinal: Int {
        switch self {
        case .email: 0
        case .phone: 1
        case .usSSN: 2
        case .paymentCard: 3
        case .iban: 4
        case .ipAddress: 5
        case .awsAccessKeyID: 6
        case .awsSecretAccessKey: 7
        case .privateKey: 8
        case .jwt: 9
        case .githubToken: 10
        case .slackToken: 11
        case .passwordInURL: 12
        }
    }

    /// Orders categories as ``allCases`` lists them.
    public static func < (lhs: ComplianceCategory, rhs: ComplianceCategory) -> Bool {
        lhs.ordinal < rhs.ordinal
    }
}

/// A set of ``ComplianceCategory`` values stored as bits, cheap to build for every scanned string.
public struct ComplianceCategorySet: Sendable, Hashable, SetAlgebra, Sequence {
    /// The bits, one per category ordinal.
    private var bits: UInt16

    /// An empty set.
    public init() {
        bits = 0
    }

    /// A set holding `categories`.
    public init<S: Sequence>(_ categories: S) where S.Element == ComplianceCategory {
        bits = 0
        for category in categories {
            insert(category)
        }
    }

    private init(bits: UInt16) {
        self.bits = bits
    }

    /// Every category.
    public static let all = ComplianceCategorySet(ComplianceCategory.allCases)

    /// Whether the set holds no category.
    public var isEmpty: Bool {
        bits == 0
    }

    /// Whether `category` is in the set.
    public func contains(_ category: ComplianceCategory) -> Bool {
        bits & (1 << category.ordinal) != 0
    }

    /// Adds `category`.
    @discardableResult
    public mutating func insert(
        _ category: ComplianceCategory
    ) -> (inserted: Bool, memberAfterInsert: ComplianceCategory) {
        let had = contains(category)
        bits |= 1 << category.ordinal
        return (!had, category)
    }

    /// Removes `category`.
    @discardableResult
    public mutating func remove(_ category: ComplianceCategory) -> ComplianceCategory? {
        let had = contains(category)
        bits &= ~(1 << category.ordinal)
        return had ? category : nil
    }

    /// Adds `category`, returning it.
    @discardableResult
    public mutating func update(with category: ComplianceCategory) -> ComplianceCategory? {
        let had = contains(category)
        bits |= 1 << category.ordinal
        return had ? category : nil
    }

    /// The categories in either set.
    public func union(_ other: ComplianceCategorySet) -> ComplianceCategorySet {
        ComplianceCategorySet(bits: bits | other.bits)
    }

    /// The categories in both sets.
    public func intersection(_ other: ComplianceCategorySet) -> ComplianceCategorySet {
        ComplianceCategorySet(bits: bits & other.bits)
    }

    /// The categories in exactly one of the sets.
    public func symmetricDifference(_ other: ComplianceCategorySet) -> ComplianceCategorySet {
        ComplianceCategorySet(bits: bits ^ other.bits)
    }

    /// Adds the categories of `other`.
    public mutating func formUnion(_ other: ComplianceCategorySet) {
        bits |= other.bits
    }

    /// Keeps only the categories also in `other`.
    public mutating func formIntersection(_ other: ComplianceCategorySet) {
        bits &= other.bits
    }

    /// Keeps the categories in exactly one of the sets.
    public mutating func formSymmetricDifference(_ other: ComplianceCategorySet) {
        bits ^= other.bits
    }

    /// The categories in ``ComplianceCategory/allCases`` order.
    public func makeIterator() -> IndexingIterator<[ComplianceCategory]> {
        ComplianceCategory.allCases.filter { contains($0) }.makeIterator()
    }
}
