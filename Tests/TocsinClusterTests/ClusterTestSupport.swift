// SPDX-License-Identifier: Apache-2.0

/// SplitMix64: a small seeded generator, so every random test replays exactly.
struct SplitMix: RandomNumberGenerator, Sendable {
    var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xbf58_476d_1ce4_e5b9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94d0_49bb_1331_11eb
        return mixed ^ (mixed >> 31)
    }

    /// A value in `range`.
    mutating func pick(_ range: ClosedRange<Int64>) -> Int64 {
        Int64.random(in: range, using: &self)
    }

    /// `true` with probability `percent` in 100.
    mutating func chance(_ percent: Int) -> Bool {
        Int.random(in: 0..<100, using: &self) < percent
    }
}

/// A generator whose every draw is the largest value, so jittered delays sit at their ceiling.
struct CeilingRandom: RandomNumberGenerator, Sendable {
    mutating func next() -> UInt64 { .max }
}
