// SPDX-License-Identifier: Apache-2.0

/// What marks a delivery as part of a replay rather than live routing (docs/replay.md).
///
/// A replay's delivery goes through the same queue, retries, breaker and dead-letter queue as a
/// live one; this mark travels with it to the target (the `Tocsin-Replay` header, the `replay`
/// member of the payload) and gives it its own idempotency key, so a receiver that de-duplicates
/// on `Idempotency-Key` keeps both the live delivery and the replayed one.
public struct DeliveryReplay: Sendable, Hashable {
    /// The replay's id (`GET /v1/replays/{id}`).
    public var id: Int64
    /// The delivery's idempotency key: derived from the replay id, the event, the rule and the
    /// target (and which alert, for an alert the replay raised), so a replay that a restart runs
    /// again sends the same key, and no two deliveries share one.
    public var idempotencyKey: String

    /// Creates a mark.
    public init(id: Int64, idempotencyKey: String) {
        self.id = id
        self.idempotencyKey = idempotencyKey
    }
}
