// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// What the replay API needs from the rest of Tocsin; the runtime implements it.
public protocol ReplayAdministration: Sendable {
    /// Accepts a replay on behalf of the identity named `actor`: resolves its range, stores it,
    /// appends its `tocsin.replay.started` event and starts it; returns its status.
    ///
    /// - Throws: ``AdministrationError/invalid(_:)`` when the request names unknown rules or
    ///   targets, or its range holds no events.
    func start(_ request: ReplayRequest, actor: String) async throws -> JSONValue
    /// The status of the replay with this id (progress, and the report once completed), or `nil`.
    func replay(id: Int64) async throws -> JSONValue?
    /// The statuses of the most recent replays, newest first (without their reports).
    func replays(limit: Int) async throws -> [JSONValue]
}
