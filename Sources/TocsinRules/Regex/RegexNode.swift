// SPDX-License-Identifier: Apache-2.0

/// A zero-width test at a position of the text.
enum RegexAssertion: UInt8, Sendable, Hashable {
    /// `\A`, or `^` without multiline: the start of the text.
    case textStart
    /// `\z`, or `$` without multiline: the end of the text.
    case textEnd
    /// `^` with multiline: the start of the text or just after `\n`.
    case lineStart
    /// `$` with multiline: the end of the text or just before `\n`.
    case lineEnd
    /// `\b`: between an ASCII word character and something else.
    case wordBoundary
    /// `\B`: not at a word boundary.
    case notWordBoundary

    /// This assertion's bit in a position's context mask.
    var bit: UInt8 { 1 << rawValue }
}

/// The parsed form of a pattern, with flags already applied (case folding turned literals into
/// sets, `.` knows whether it matches `\n`, `^` and `$` know whether they are line anchors).
indirect enum RegexNode: Sendable, Hashable {
    /// Matches the empty string.
    case empty
    /// One scalar.
    case literal(UInt32)
    /// One scalar from a set.
    case set(ScalarSet)
    /// Any scalar; `\n` only when `dotAll`.
    case any(dotAll: Bool)
    /// A zero-width assertion.
    case assertion(RegexAssertion)
    /// Each item in turn.
    case concat([RegexNode])
    /// Any one of the branches.
    case alternation([RegexNode])
    /// `body` repeated `min` to `max` times (`nil` = unbounded).
    case repetition(RegexNode, min: Int, max: Int?)

    /// Instructions this node compiles to, saturating at `Int.max / 4` so hostile nesting cannot overflow.
    var programSize: Int {
        switch self {
        case .empty:
            return 0
        case .literal, .set, .any, .assertion:
            return 1
        case .concat(let items):
            return items.reduce(0) { Self.add($0, $1.programSize) }
        case .alternation(let branches):
            return branches.reduce(2 * (branches.count - 1)) { Self.add($0, $1.programSize) }
        case .repetition(let body, let min, let max):
            let size = body.programSize
            guard size > 0 else {
                return 0
            }
            let required = Self.multiply(min, size)
            guard let max else {
                return Self.add(required, size + 2)
            }
            return Self.add(required, Self.multiply(max - min, size + 1))
        }
    }

    /// Whether the node can match without consuming input (assertions count as empty).
    var isNullable: Bool {
        switch self {
        case .empty, .assertion:
            return true
        case .literal, .set, .any:
            return false
        case .concat(let items):
            return items.allSatisfy(\.isNullable)
        case .alternation(let branches):
            return branches.contains(where: \.isNullable)
        case .repetition(let body, let min, _):
            return min == 0 || body.isNullable
        }
    }

    /// Whether every match must start at the start of the text (`\A` or `^` without multiline first).
    var isAnchoredAtStart: Bool {
        switch self {
        case .assertion(.textStart):
            return true
        case .empty, .literal, .set, .any, .assertion:
            return false
        case .concat(let items):
            for item in items {
                if item.isAnchoredAtStart {
                    return true
                }
                if item != .empty {
                    return false
                }
            }
            return false
        case .alternation(let branches):
            return !branches.isEmpty && branches.allSatisfy(\.isAnchoredAtStart)
        case .repetition(let body, let min, _):
            return min > 0 && body.isAnchoredAtStart
        }
    }

    private static let saturation = Int.max / 4

    private static func add(_ left: Int, _ right: Int) -> Int {
        min(saturation, left + right)
    }

    private static func multiply(_ left: Int, _ right: Int) -> Int {
        let (product, overflow) = left.multipliedReportingOverflow(by: right)
        return overflow ? saturation : min(saturation, product)
    }
}
