// SPDX-License-Identifier: Apache-2.0

/// Why a schema was not accepted: what is wrong, how to fix it, and where in the schema.
///
/// Messages name keywords and schema locations only, never instance data.
public struct SchemaError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable, machine-readable reason.
    public enum Code: String, Sendable, Hashable {
        /// The schema uses a keyword this validator does not implement (see ``JSONSchema/unsupportedKeywords``)
        /// or does not know at all.
        case unsupportedKeyword = "unsupported-keyword"
        /// A keyword's value has the wrong shape (`"minLength": -1`, `"required": "a"`, a bad regex…).
        case invalidKeyword = "invalid-keyword"
        /// A `$ref` names a schema that is neither in the document nor among the bundled remotes.
        case unresolvedReference = "unresolved-reference"
        /// The schema is larger or deeper than ``JSONSchema/Limits`` allow.
        case limitExceeded = "limit-exceeded"
    }

    /// The reason.
    public var code: Code
    /// What is wrong and how to fix it.
    public var message: String
    /// Where: the schema document's URI and the JSON pointer of the offending keyword, for example `#/properties/a/minLength`.
    public var location: String

    /// Creates an error.
    public init(code: Code, message: String, location: String) {
        self.code = code
        self.message = message
        self.location = location
    }

    /// `location: message`.
    public var description: String {
        "\(location): \(message)"
    }
}

/// One way an instance breaks a schema: the keyword, where it sits in the schema, and where in the instance.
///
/// The message describes the rule (a type name, a limit from the schema), never the instance's value, so a
/// violation can be returned to a publisher and logged without leaking event data.
public struct SchemaViolation: Sendable, Hashable, CustomStringConvertible {
    /// The keyword that failed, for example `required`, `type`, `maxLength`.
    public var keyword: String
    /// The absolute location of that keyword in the schema, for example `#/properties/user/required`.
    public var schemaLocation: String
    /// The JSON pointer (RFC 6901) of the instance value that failed, `""` for the whole instance.
    public var instancePath: String
    /// What the schema requires, for example `expected type string, found number`.
    public var message: String

    /// Creates a violation.
    public init(keyword: String, schemaLocation: String, instancePath: String, message: String) {
        self.keyword = keyword
        self.schemaLocation = schemaLocation
        self.instancePath = instancePath
        self.message = message
    }

    /// `instancePath: keyword: message (schemaLocation)`.
    public var description: String {
        "\(instancePath.isEmpty ? "/" : instancePath): \(keyword): \(message) (at \(schemaLocation))"
    }
}
