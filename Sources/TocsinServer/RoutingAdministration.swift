// SPDX-License-Identifier: Apache-2.0

public import TocsinCore
public import TocsinResponse

/// What the routing and delivery API needs from the rest of Tocsin; the runtime implements it.
public protocol RoutingAdministration: Sendable {
    /// Creates or replaces a definition on behalf of the identity named `actor`; returns whether it
    /// is new and the stored form.
    ///
    /// Changes (these, and reloads of the rules directory) are applied one at a time, in the order
    /// their events appear in the log.
    func put(
        _ kind: DefinitionKind,
        name: String,
        definition: JSONValue,
        actor: String
    ) async throws -> (created: Bool, stored: JSONValue)
    /// The stored form of a definition (secrets redacted), or `nil`.
    func get(_ kind: DefinitionKind, name: String) async throws -> JSONValue?
    /// Every definition of `kind`, by name.
    func list(_ kind: DefinitionKind) async throws -> [(name: String, definition: JSONValue)]
    /// Deletes a definition on behalf of the identity named `actor`; returns whether it existed.
    func delete(_ kind: DefinitionKind, name: String, actor: String) async throws -> Bool
    /// Every delivery of an event.
    func deliveries(event: Int64) async throws -> [DeliveryRecord]
    /// Dead letters matching `filter`.
    func deadLetters(_ filter: DeliveryFilter) async throws -> [DeliveryRecord]
    /// Redrives dead letters matching `filter` on behalf of `actor`; returns how many, by target, and which of
    /// those targets' circuits are open.
    func redrive(_ filter: DeliveryFilter, actor: String) async throws -> RedriveResult
    /// Purges dead letters matching `filter` on behalf of `actor`; returns how many.
    func purge(_ filter: DeliveryFilter, actor: String) async throws -> Int
    /// The active blocklist entries.
    func blocklist() async throws -> [BlocklistEntry]
    /// Whether each blocklist target's nftables file on disk holds the active entries.
    func blocklistFiles() async throws -> [BlocklistFileStatus]
}

/// What a redrive did: the dead letters put back to pending, by target, and the targets among them whose circuit
/// is open, so their deliveries wait for the breaker's cool-down and a successful probe.
public struct RedriveResult: Sendable, Equatable {
    /// How many dead letters went back to pending, by target name.
    public var redrivenByTarget: [String: Int]
    /// The targets in ``redrivenByTarget`` whose circuit breaker is open (or half-open, probing).
    public var openCircuits: Set<String>

    /// Creates a result.
    public init(redrivenByTarget: [String: Int], openCircuits: Set<String>) {
        self.redrivenByTarget = redrivenByTarget
        self.openCircuits = openCircuits
    }

    /// How many dead letters went back to pending in all.
    public var total: Int { redrivenByTarget.values.reduce(0, +) }
}

/// Rules or targets.
public enum DefinitionKind: String, Sendable {
    case rule
    case target
}

/// Why an administrative change was refused.
public enum AdministrationError: Error, Sendable {
    /// The definition is invalid: one message per problem.
    case invalid([String])
    /// The change conflicts with the current state (a file-defined name, a target in use).
    case conflict(String)
    /// The definition runs programs or writes files on the host (`exec`, a blocklist's
    /// `nft_file`): host configuration belongs in the rules directory, never in API data.
    case hostConfiguration(String)
}
