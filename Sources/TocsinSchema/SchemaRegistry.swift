// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// The versioned schemas of event types, and the decisions about them: whether a new version may be registered
/// and whether an event's data is valid.
///
/// A pure value: the store persists each ``Version`` (its document and mode) and rebuilds the registry with
/// ``restore(_:)``; the publish path calls ``validate(type:data:)``, which costs one dictionary lookup when the
/// type has no schema.
public struct SchemaRegistry: Sendable {
    /// One registered version of an event type's schema.
    public struct Version: Sendable {
        /// The CloudEvents `type` it governs.
        public let type: String
        /// 1 for the first registration, then consecutive.
        public let version: Int
        /// The schema document as registered.
        public let document: JSONValue
        /// The compiled validator.
        public let schema: JSONSchema
        /// The compatibility the next version must keep with this one.
        public let compatibility: SchemaCompatibilityMode

        /// Compiles `document` into a version.
        ///
        /// - Throws: ``SchemaError`` when the document is not an acceptable schema.
        public init(
            type: String,
            version: Int,
            document: JSONValue,
            compatibility: SchemaCompatibilityMode,
            limits: JSONSchema.Limits = JSONSchema.Limits()
        ) throws(SchemaError) {
            self.type = type
            self.version = version
            self.document = document
            self.schema = try JSONSchema(document, limits: limits)
            self.compatibility = compatibility
        }
    }

    /// The compatibility mode a type gets when neither the registration nor an earlier version names one.
    public static let defaultCompatibility = SchemaCompatibilityMode.backward
    /// The longest event type accepted, in UTF-8 bytes.
    public static let maxTypeBytes = 256

    private var versionsByType: [String: [Version]] = [:]
    /// The schema limits every registration is compiled with.
    public let limits: JSONSchema.Limits

    /// An empty registry.
    public init(limits: JSONSchema.Limits = JSONSchema.Limits()) {
        self.limits = limits
    }

    /// Whether any type has a schema.
    public var hasSchemas: Bool { !versionsByType.isEmpty }

    /// The registered event types, sorted.
    public var types: [String] { versionsByType.keys.sorted() }

    /// Every version of `type`, oldest first.
    public func versions(of type: String) -> [Version] { versionsByType[type] ?? [] }

    /// The newest version of `type`, or `nil` when it has no schema.
    public func latest(of type: String) -> Version? { versionsByType[type]?.last }

    /// Version `number` of `type`, if registered.
    public func version(_ number: Int, of type: String) -> Version? {
        versionsByType[type]?.first { $0.version == number }
    }

    /// Checks a new schema for `type` and returns the version it would become, without registering it.
    ///
    /// - Parameters:
    ///   - type: The CloudEvents `type`.
    ///   - document: The new schema.
    ///   - compatibility: The mode to check against the newest version and to keep for the next; `nil` keeps the
    ///     newest version's mode (or ``defaultCompatibility``).
    /// - Returns: The compiled next version, for the caller to persist and then ``restore(_:)``.
    /// - Throws: ``SchemaRegistrationError`` naming the problem: a bad type, a bad schema (with its location), or
    ///   every change that breaks compatibility.
    public func prepare(
        type: String,
        document: JSONValue,
        compatibility: SchemaCompatibilityMode? = nil
    ) throws(SchemaRegistrationError) -> Version {
        guard !type.isEmpty, type.utf8.count <= Self.maxTypeBytes,
            type.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F })
        else {
            throw SchemaRegistrationError(
                code: .invalidType,
                message: "the event type must be 1 to \(Self.maxTypeBytes) bytes with no spaces or control characters",
                changes: []
            )
        }
        let previous = latest(of: type)
        let mode = compatibility ?? previous?.compatibility ?? Self.defaultCompatibility
        let version: Version
        do {
            version = try Version(
                type: type,
                version: (previous?.version ?? 0) + 1,
                document: document,
                compatibility: mode,
                limits: limits
            )
        } catch {
            throw SchemaRegistrationError(code: .invalidSchema, message: error.description, changes: [])
        }
        if let previous {
            let changes = SchemaCompatibility.check(old: previous.document, new: document, mode: mode)
            if !changes.isEmpty {
                throw SchemaRegistrationError(
                    code: .incompatible,
                    message: "version \(version.version) is not \(mode.rawValue) compatible with version "
                        + "\(previous.version): \(changes.map(\.description).joined(separator: "; ")); "
                        + "fix the schema or register it with a weaker compatibility mode",
                    changes: changes
                )
            }
        }
        return version
    }

    /// Adds a version (from ``prepare(type:document:compatibility:)``, or read back from the store).
    public mutating func restore(_ version: Version) {
        versionsByType[version.type, default: []].append(version)
    }

    /// The violations of `data` against the newest schema of `type`; `nil` when the type has no schema.
    public func validate(type: String, data: JSONValue) -> [SchemaViolation]? {
        guard let version = versionsByType[type]?.last else {
            return nil
        }
        return version.schema.validate(data)
    }
}

/// Why a schema version was not registered.
public struct SchemaRegistrationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable, machine-readable reason.
    public enum Code: String, Sendable, Hashable {
        /// The event type is empty, too long or has spaces or control characters.
        case invalidType = "invalid-type"
        /// The document is not an acceptable schema (unsupported or malformed keyword, unresolved `$ref`, limits).
        case invalidSchema = "invalid-schema"
        /// The new version breaks the type's compatibility mode; ``changes`` lists how.
        case incompatible
    }

    /// The reason.
    public var code: Code
    /// What is wrong and how to fix it.
    public var message: String
    /// For ``Code/incompatible``, every breaking change.
    public var changes: [SchemaChange]

    /// Creates an error.
    public init(code: Code, message: String, changes: [SchemaChange]) {
        self.code = code
        self.message = message
        self.changes = changes
    }

    /// The message.
    public var description: String { message }
}
