// SPDX-License-Identifier: Apache-2.0

/// A set of Unicode scalar values kept as sorted, disjoint, non-adjacent closed ranges.
///
/// Character classes, `\d`-style escapes and case-folded literals all become one of these; the
/// compiled program keeps them as ``CompiledScalarSet`` (an ASCII bitmap plus the ranges above it).
struct ScalarSet: Sendable, Hashable {
    /// The largest Unicode scalar value.
    static let maxScalar: UInt32 = 0x10_FFFF

    /// The normalised ranges.
    private(set) var ranges: [ClosedRange<UInt32>]

    /// The empty set.
    init() {
        ranges = []
    }

    /// The set of one scalar.
    init(_ scalar: UInt32) {
        ranges = [scalar...scalar]
    }

    /// The union of `ranges`, which may overlap and come in any order.
    init(ranges: [ClosedRange<UInt32>]) {
        self.ranges = ranges
        normalise()
    }

    /// Whether the set holds nothing.
    var isEmpty: Bool { ranges.isEmpty }

    /// Whether the set holds exactly one scalar, and which.
    var single: UInt32? {
        ranges.count == 1 && ranges[0].lowerBound == ranges[0].upperBound ? ranges[0].lowerBound : nil
    }

    /// Adds every scalar of `range`.
    mutating func insert(_ range: ClosedRange<UInt32>) {
        ranges.append(range)
        normalise()
    }

    /// Adds every scalar of `other`.
    mutating func formUnion(_ other: ScalarSet) {
        ranges += other.ranges
        normalise()
    }

    /// Every scalar not in the set (surrogate code points included, which no input ever holds).
    func inverted() -> ScalarSet {
        var result: [ClosedRange<UInt32>] = []
        var next: UInt32 = 0
        for range in ranges {
            if range.lowerBound > next {
                result.append(next...(range.lowerBound - 1))
            }
            next = range.upperBound + 1
        }
        if next <= Self.maxScalar {
            result.append(next...Self.maxScalar)
        }
        var set = ScalarSet()
        set.ranges = result
        return set
    }

    /// The set plus every scalar that case-folds to one of its members (see ``SimpleCaseFolding``).
    func caseFolded() -> ScalarSet {
        var added: [ClosedRange<UInt32>] = []
        for range in ranges {
            SimpleCaseFolding.forEachCasedScalar(in: range) { orbit in
                for member in orbit {
                    added.append(member...member)
                }
            }
        }
        return added.isEmpty ? self : ScalarSet(ranges: ranges + added)
    }

    private mutating func normalise() {
        guard ranges.count > 1 else {
            return
        }
        ranges.sort { $0.lowerBound < $1.lowerBound }
        var merged: [ClosedRange<UInt32>] = [ranges[0]]
        for range in ranges.dropFirst() {
            let last = merged[merged.count - 1]
            if range.lowerBound <= last.upperBound || range.lowerBound == last.upperBound + 1 {
                merged[merged.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        ranges = merged
    }
}

/// A ``ScalarSet`` laid out for matching: a 128-bit ASCII bitmap and the ranges above U+007F.
struct CompiledScalarSet: Sendable {
    let asciiLow: UInt64
    let asciiHigh: UInt64
    let upper: [ClosedRange<UInt32>]

    init(_ set: ScalarSet) {
        var low: UInt64 = 0
        var high: UInt64 = 0
        var upper: [ClosedRange<UInt32>] = []
        for range in set.ranges {
            if range.lowerBound < 128 {
                for scalar in range.lowerBound...min(range.upperBound, 127) {
                    if scalar < 64 {
                        low |= 1 << UInt64(scalar)
                    } else {
                        high |= 1 << UInt64(scalar - 64)
                    }
                }
            }
            if range.upperBound >= 128 {
                upper.append(max(range.lowerBound, 128)...range.upperBound)
            }
        }
        asciiLow = low
        asciiHigh = high
        self.upper = upper
    }

    /// Whether `scalar` is in the set.
    @inline(__always)
    func contains(_ scalar: UInt32) -> Bool {
        if scalar < 64 {
            return asciiLow & (1 << UInt64(scalar)) != 0
        }
        if scalar < 128 {
            return asciiHigh & (1 << UInt64(scalar - 64)) != 0
        }
        return containsUpper(scalar)
    }

    private func containsUpper(_ scalar: UInt32) -> Bool {
        var low = 0
        var high = upper.count
        while low < high {
            let middle = (low + high) / 2
            if upper[middle].upperBound < scalar {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return low < upper.count && upper[low].lowerBound <= scalar
    }
}
