// SPDX-License-Identifier: Apache-2.0

public import TocsinCore
public import TocsinSchema

/// What the schema API and the publish paths need from the rest of Tocsin; the runtime implements it.
public protocol SchemaAdministration: Sendable {
    /// The registry as it is now; the publish paths check events against it before appending them.
    var registry: SchemaRegistry { get }

    /// Registers the next version of `type`'s schema on behalf of the identity named `actor`.
    ///
    /// Registrations are applied one at a time; each is stored, then recorded as a `tocsin.schema.registered`
    /// event.
    ///
    /// - Returns: The registered version.
    /// - Throws: ``SchemaRegistrationError`` when the type or schema is not acceptable or breaks compatibility.
    func register(
        type: String,
        document: JSONValue,
        compatibility: SchemaCompatibilityMode?,
        actor: String
    ) async throws -> SchemaRegistry.Version

    /// The JSON data of the most recent events of `type`, newest first, at most `limit`.
    func recentData(of type: String, limit: Int) async throws -> [JSONValue]
}
