// SPDX-License-Identifier: Apache-2.0

/// Decides when a refused syslog message is worth a log line, so a flood of garbage (spoofed UDP,
/// a misconfigured sender) cannot flood the server's own log: at most one line per interval, which
/// also says how many refusals it stands for.
public struct RefusalThrottle: Sendable {
    private let interval: Duration
    private var lastReport: ContinuousClock.Instant?
    private var unreported = 0

    /// Creates a throttle allowing one report per `interval`.
    public init(interval: Duration = .seconds(1)) {
        self.interval = interval
    }

    /// Records one refusal at `now`; returns how many refusals (this one included) the log line
    /// written now should report, or `nil` to write none.
    public mutating func refused(at now: ContinuousClock.Instant) -> Int? {
        unreported += 1
        if let lastReport, now - lastReport < interval {
            return nil
        }
        lastReport = now
        defer { unreported = 0 }
        return unreported
    }
}
