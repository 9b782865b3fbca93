// SPDX-License-Identifier: Apache-2.0

import HTTPTypes
import TocsinCore

/// The members of a small JSON request body (keys, incident actions): an object with known members
/// only, each read with its type checked; every problem is a `400` naming the member.
struct BodyFields {
    /// What a problem with this body is called.
    struct Kind {
        /// The problem's `code` (`invalid-key-request`).
        var code: String
        /// The problem's `title`.
        var title: String

        static let key = Kind(code: "invalid-key-request", title: "The key request is not valid")
        static let incident = Kind(code: "invalid-incident-request", title: "The incident request is not valid")
    }

    private let object: JSONObject
    private let kind: Kind

    init(_ value: JSONValue, allowed: Set<String>, kind: Kind) throws {
        guard case .object(let object) = value else {
            throw Self.invalid("body", "must be a JSON object", kind: kind)
        }
        if let unknown = object.members.first(where: { !allowed.contains($0.name) }) {
            throw Self.invalid(
                unknown.name,
                "is not a known member; the members are \(allowed.sorted().joined(separator: ", "))",
                kind: kind
            )
        }
        self.object = object
        self.kind = kind
    }

    subscript(name: String) -> JSONValue? {
        object[name]
    }

    func string(_ name: String, maximumBytes: Int = .max) throws -> String? {
        switch object[name] {
        case nil, .null?:
            return nil
        case .string(let text)?:
            guard text.utf8.count <= maximumBytes else {
                throw invalid(name, "must be at most \(maximumBytes) bytes")
            }
            return text
        default:
            throw invalid(name, "must be a string")
        }
    }

    func integer(_ name: String, in range: ClosedRange<Int64>) throws -> Int64? {
        guard let value = object[name] else {
            return nil
        }
        guard case .number(let number) = value, let integer = number.int64Value, range.contains(integer) else {
            throw invalid(name, "must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return integer
    }

    /// The problem for `member` of this body.
    func invalid(_ member: String, _ detail: String) -> Problem {
        Self.invalid(member, detail, kind: kind)
    }

    /// The problem for `member` of a body of `kind`.
    static func invalid(_ member: String, _ detail: String, kind: Kind) -> Problem {
        Problem(
            .badRequest,
            code: kind.code,
            title: kind.title,
            detail: "\(member): \(detail)",
            extensions: [.init(name: "member", value: .string(member))]
        )
    }
}
