// SPDX-License-Identifier: Apache-2.0

/// A condition on a count: the Sigma correlation operators `gt`, `gte`, `lt`, `lte`, `eq`, and a range.
///
/// `gt` and `gte` only grow true as events arrive, so they are decided when an event arrives, on the sliding
/// window that ends at it. `lt`, `lte`, `eq` and `range` need the window to be complete, so they are decided
/// when the watermark passes the end of the window (see `docs/detection.md`). A Sigma condition
/// with two operators maps to `range`: `{gte: 5, lte: 10}` is `range(5, 10)`, `{gt: 4, lt: 11}` is
/// `range(5, 10)` too.
public enum CountCondition: Sendable, Hashable, Codable {
    /// More than the value.
    case gt(Int)
    /// The value or more.
    case gte(Int)
    /// Fewer than the value.
    case lt(Int)
    /// The value or fewer.
    case lte(Int)
    /// Exactly the value.
    case eq(Int)
    /// Between the two values, both included.
    case range(Int, Int)

    /// Whether `count` satisfies the condition.
    ///
    /// - Parameter count: The number of events (or distinct values, or rules) in the window.
    /// - Returns: true when the count satisfies the condition.
    public func isSatisfied(by count: Int) -> Bool {
        switch self {
        case .gt(let value): return count > value
        case .gte(let value): return count >= value
        case .lt(let value): return count < value
        case .lte(let value): return count <= value
        case .eq(let value): return count == value
        case .range(let low, let high): return count >= low && count <= high
        }
    }

    /// Whether the condition is decided as events arrive (`gt`, `gte`) rather than when a window closes.
    public var isDecidedOnArrival: Bool {
        switch self {
        case .gt, .gte: return true
        case .lt, .lte, .eq, .range: return false
        }
    }

    /// The smallest count that satisfies an arrival condition (`gt(n)` needs `n + 1`), or the count past
    /// which a closing condition can no longer hold.
    var pivot: Int {
        switch self {
        case .gt(let value): return value + 1
        case .gte(let value): return value
        case .lt(let value): return value - 1
        case .lte(let value), .eq(let value): return value
        case .range(_, let high): return high
        }
    }

    /// Checks the operands; returns a message that says how to fix them, or nil.
    ///
    /// A window holds at least the event that opened it, so a closing condition that only zero satisfies
    /// could never fire.
    var problem: String? {
        switch self {
        case .gt(let value) where value < 0:
            return "gt needs a count of 0 or more"
        case .gte(let value) where value < 1:
            return "gte needs a count of 1 or more"
        case .lt(let value) where value < 2:
            return "lt needs a count of 2 or more (every window holds at least one event)"
        case .lte(let value) where value < 1, .eq(let value) where value < 1:
            return "lte and eq need a count of 1 or more (every window holds at least one event)"
        case .range(let low, let high) where low < 0 || high < max(low, 1):
            return "a range needs 0 <= low <= high and high >= 1; write the lower bound first"
        default:
            return nil
        }
    }
}
