// SPDX-License-Identifier: Apache-2.0

/// Turns a stream of authentication failures and denials into at most one audit event per
/// second for each (address, reason), each carrying how many denials it stands for and how many
/// came from that address in the last minute.
///
/// A pure state machine on injected time (milliseconds): the caller records denials as they
/// happen and calls ``flush(now:)`` about once a second. Memory is bounded: past
/// ``maximumKeys`` distinct (address, reason) pairs, further addresses share one overflow entry.
public struct DenialCoalescer: Sendable {
    /// One refused request.
    public struct Denial: Sendable, Hashable {
        /// Why it was refused.
        public var reason: DenialReason
        /// The caller's address (no port).
        public var address: String
        /// The identity's name, when the credential named one.
        public var identity: String?
        /// The permission the route needs, if the request reached a route.
        public var permission: String?
        /// The HTTP method.
        public var method: String
        /// The route's template (`/v1/rules/{name}`), never the raw path.
        public var route: String

        /// Creates a denial.
        public init(
            reason: DenialReason,
            address: String,
            identity: String? = nil,
            permission: String? = nil,
            method: String,
            route: String
        ) {
            self.reason = reason
            self.address = address
            self.identity = identity
            self.permission = permission
            self.method = method
            self.route = route
        }
    }

    /// What to record: the latest denial of a window and how many it stands for.
    public struct Summary: Sendable, Hashable {
        /// The most recent denial the summary covers.
        public var denial: Denial
        /// How many denials (same address and reason) the summary covers.
        public var count: Int
        /// Denials from the same address, any reason, in the minute up to this summary.
        public var addressDenialsLastMinute: Int
    }

    /// The address under which denials are counted once ``maximumKeys`` is reached.
    public static let overflowAddress = "(other addresses)"

    private struct Key: Hashable {
        var address: String
        var reason: DenialReason
    }

    private struct Window {
        var start: Int64
        var suppressed: Int
        var latest: Denial?
    }

    /// Per-second denial counts of one address over the last minute.
    private struct RecentCounts {
        var buckets: [(second: Int64, count: Int)] = []

        mutating func add(second: Int64) -> Int {
            buckets.removeAll { $0.second <= second - 60 }
            if let last = buckets.indices.last, buckets[last].second == second {
                buckets[last].count += 1
            } else {
                buckets.append((second, 1))
            }
            return buckets.reduce(0) { $0 + $1.count }
        }

        func isStale(second: Int64) -> Bool {
            (buckets.last?.second ?? .min) <= second - 60
        }
    }

    /// The shortest time between two summaries of one (address, reason), in milliseconds.
    public let windowMilliseconds: Int64
    /// The most (address, reason) pairs and addresses tracked at once.
    public let maximumKeys: Int
    private var windows: [Key: Window] = [:]
    private var recent: [String: RecentCounts] = [:]

    /// Creates an empty coalescer.
    public init(windowMilliseconds: Int64 = 1000, maximumKeys: Int = 4096) {
        self.windowMilliseconds = windowMilliseconds
        self.maximumKeys = maximumKeys
    }

    /// Records a denial at `now`; returns a summary to record at once, or `nil` when it is held
    /// for the window's summary.
    public mutating func record(_ denial: Denial, now: Int64) -> Summary? {
        var denial = denial
        if windows[Key(address: denial.address, reason: denial.reason)] == nil, windows.count >= maximumKeys {
            denial.address = Self.overflowAddress
        }
        let perAddress = countRecent(address: denial.address, now: now)
        let key = Key(address: denial.address, reason: denial.reason)
        if var window = windows[key], now < window.start + windowMilliseconds {
            window.suppressed += 1
            window.latest = denial
            windows[key] = window
            return nil
        }
        let held = windows[key]?.suppressed ?? 0
        windows[key] = Window(start: now, suppressed: 0, latest: nil)
        return Summary(denial: denial, count: held + 1, addressDenialsLastMinute: perAddress)
    }

    /// Summaries of the windows that have ended with denials held; forgets idle windows.
    public mutating func flush(now: Int64) -> [Summary] {
        var summaries: [Summary] = []
        for (key, window) in windows where now >= window.start + windowMilliseconds {
            if let latest = window.latest, window.suppressed > 0 {
                let perAddress = recent[key.address]?.buckets.reduce(0) { $0 + $1.count } ?? window.suppressed
                summaries.append(
                    Summary(denial: latest, count: window.suppressed, addressDenialsLastMinute: perAddress)
                )
                windows[key] = Window(start: now, suppressed: 0, latest: nil)
            } else {
                windows[key] = nil
            }
        }
        let second = now / 1000
        recent = recent.filter { !$0.value.isStale(second: second) }
        return summaries.sorted {
            ($0.denial.address, $0.denial.reason.rawValue) < ($1.denial.address, $1.denial.reason.rawValue)
        }
    }

    private mutating func countRecent(address: String, now: Int64) -> Int {
        let second = now / 1000
        var address = address
        if recent[address] == nil, recent.count >= maximumKeys {
            recent = recent.filter { !$0.value.isStale(second: second) }
            if recent.count >= maximumKeys {
                address = Self.overflowAddress
            }
        }
        return recent[address, default: RecentCounts()].add(second: second)
    }
}
