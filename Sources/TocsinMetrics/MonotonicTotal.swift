// SPDX-License-Identifier: Apache-2.0

/// Turns a running total that restarts from zero now and then (a rebuilt engine's counter) into the
/// increments of a counter that never goes down.
public struct MonotonicTotal: Sendable, Hashable {
    /// The total last seen.
    public private(set) var last = 0

    /// Starts with a total of zero.
    public init() {}

    /// The increment since the total last seen; a total below it means the source restarted, and all
    /// of it is new.
    public mutating func advance(to total: Int) -> Int {
        defer { last = total }
        return total >= last ? total - last : total
    }
}
