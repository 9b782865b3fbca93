// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// What the projections API needs from the rest of Tocsin; the runtime implements it over the
/// store's rebuilder and the log.
public protocol ProjectionAdministration: Sendable {
    /// The projections' names.
    var names: [String] { get }
    /// Rebuilds the read model `name` from the whole log, swaps it in and records a
    /// `tocsin.projection.rebuilt` event naming `actor`; returns what the rebuild did.
    func rebuild(_ name: String, actor: String) async throws -> JSONValue
    /// Folds `name` again into a scratch copy and compares it with the live read model, row by
    /// row; returns the comparison.
    func check(_ name: String) async throws -> JSONValue
}
