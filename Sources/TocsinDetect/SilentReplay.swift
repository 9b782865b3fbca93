// SPDX-License-Identifier: Apache-2.0

/// A silent replay in progress: re-reading the log through the last sequence number whose alerts
/// are already recorded rebuilds state but must not raise those alerts again.
public struct SilentReplay: Sendable, Hashable {
    /// The last sequence number of the replay, or nil when none is in progress.
    public private(set) var through: Int64?

    /// No replay in progress.
    public init() {}

    /// Whether a replay is in progress.
    public var isActive: Bool { through != nil }

    /// Starts a replay through `sequence`.
    public mutating func begin(through sequence: Int64) {
        through = sequence
    }

    /// Whether the observation at `sequence` belongs to the replay; the first one past it ends the
    /// replay.
    public mutating func covers(_ sequence: Int64) -> Bool {
        guard let through else {
            return false
        }
        guard sequence <= through else {
            self.through = nil
            return false
        }
        return true
    }
}
