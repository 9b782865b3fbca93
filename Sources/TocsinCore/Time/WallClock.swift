// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A point in wall-clock time: milliseconds since the Unix epoch.
///
/// Event times, due times, expiries and log timestamps are all wall-clock milliseconds, so one
/// instant type serves the system clock and the manual clock of tests.
public struct WallInstant: InstantProtocol, Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public var millisecondsSinceEpoch: Int64

    /// Creates the instant `millisecondsSinceEpoch` after the epoch.
    public init(millisecondsSinceEpoch: Int64) {
        self.millisecondsSinceEpoch = millisecondsSinceEpoch
    }

    /// The instant `duration` later (earlier when negative), rounded down to a millisecond.
    public func advanced(by duration: Duration) -> WallInstant {
        WallInstant(millisecondsSinceEpoch: millisecondsSinceEpoch + duration.wholeMilliseconds)
    }

    /// The time from this instant to `other`.
    public func duration(to other: WallInstant) -> Duration {
        .milliseconds(other.millisecondsSinceEpoch - millisecondsSinceEpoch)
    }

    /// Orders instants by time.
    public static func < (lhs: WallInstant, rhs: WallInstant) -> Bool {
        lhs.millisecondsSinceEpoch < rhs.millisecondsSinceEpoch
    }

    /// The milliseconds since the epoch, as text.
    public var description: String { "\(millisecondsSinceEpoch) ms" }
}

/// A clock of wall time, injected wherever Tocsin needs "now": the system clock in production,
/// `ManualClock` (TocsinTesting) in tests.
///
/// Modules never read the system time themselves; the composition root passes a clock in.
public protocol WallClock: Clock, Sendable where Instant == WallInstant, Duration == Swift.Duration {}

extension WallClock {
    /// Now, in milliseconds since the epoch.
    public var milliseconds: Int64 { now.millisecondsSinceEpoch }
}

/// The operating system's real-time clock: the one place that reads the wall clock.
public struct SystemWallClock: WallClock {
    /// Creates the system clock.
    public init() {}

    /// The current time, from `CLOCK_REALTIME`.
    public var now: WallInstant {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return WallInstant(millisecondsSinceEpoch: Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000)
    }

    /// One millisecond.
    public var minimumResolution: Duration { .milliseconds(1) }

    /// Sleeps until `deadline` (measured on the monotonic clock from now), or throws on cancellation.
    public func sleep(until deadline: WallInstant, tolerance: Duration?) async throws {
        let left = now.duration(to: deadline)
        guard left > .zero else {
            try Task.checkCancellation()
            return
        }
        try await ContinuousClock().sleep(for: left, tolerance: tolerance)
    }
}

extension Duration {
    /// The duration in whole milliseconds, rounded toward negative infinity.
    public var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        let milliseconds = attoseconds / 1_000_000_000_000_000
        let rounded = attoseconds < 0 && attoseconds % 1_000_000_000_000_000 != 0 ? milliseconds - 1 : milliseconds
        return seconds * 1000 + rounded
    }
}
