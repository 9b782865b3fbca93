// SPDX-License-Identifier: Apache-2.0

public import TocsinCore
public import TocsinResponse

/// Rewrites the blocklist's nftables files when entries expire, on the injected clock, so an
/// expired address leaves the firewall at its expiry time and not at the next block.
///
/// It sleeps until the earliest expiry, but never longer than the shortest TTL of the blocklist
/// targets: an entry added while it sleeps expires no earlier than that, so no expiry is missed.
public struct BlocklistExpiry<C: WallClock>: Sendable {
    /// The longest sleep when no target has a file (the targets may change meanwhile).
    public static var idleMilliseconds: Int64 { 60_000 }

    private let clock: C
    private let blocklist: any BlocklistService
    private let files: @Sendable () -> [BlocklistFileSettings]
    private let failed: @Sendable (String, any Error) -> Void

    /// Creates the timer.
    ///
    /// - Parameters:
    ///   - clock: The wall clock it sleeps on.
    ///   - blocklist: The store and the file writer.
    ///   - files: The files of the blocklist targets in force, asked again at every wake.
    ///   - failed: Told of a file that could not be rewritten (path and error); the next wake tries again.
    public init(
        clock: C,
        blocklist: any BlocklistService,
        files: @escaping @Sendable () -> [BlocklistFileSettings],
        failed: @escaping @Sendable (String, any Error) -> Void
    ) {
        self.clock = clock
        self.blocklist = blocklist
        self.files = files
        self.failed = failed
    }

    /// Runs until cancelled.
    ///
    /// - Throws: `CancellationError` when cancelled.
    public func run() async throws {
        var written: [String: [String]] = [:]
        while true {
            try Task.checkCancellation()
            let wake = try await pass(written: &written)
            try await clock.sleep(until: WallInstant(millisecondsSinceEpoch: wake), tolerance: nil)
        }
    }

    /// Rewrites every file whose active entries changed since it was last written.
    ///
    /// - Parameter written: The entries each file was last written with.
    /// - Returns: When to wake next, in milliseconds since the epoch.
    /// - Throws: When the store cannot be read.
    public func pass(written: inout [String: [String]]) async throws -> Int64 {
        let now = clock.now.millisecondsSinceEpoch
        let active = try await blocklist.activeEntries(nowMilliseconds: now)
        let current = files()
        for file in current {
            let entries = file.policy.validated(active).valid.map(\.entry)
            guard written[file.path] != entries else {
                continue
            }
            do {
                try await blocklist.writeFile(file.path, policy: file.policy)
                written[file.path] = entries
            } catch {
                written[file.path] = nil
                failed(file.path, error)
            }
        }
        let shortestTTL = current.map { $0.ttlSeconds * 1000 }.min() ?? Self.idleMilliseconds
        let earliestExpiry = active.map(\.expiresMilliseconds).min() ?? Int64.max
        return min(earliestExpiry, now + min(shortestTTL, Self.idleMilliseconds))
    }
}

/// One nftables file to keep current.
public struct BlocklistFileSettings: Sendable, Hashable {
    /// The file's path.
    public var path: String
    /// The policy its entries are validated with.
    public var policy: BlocklistPolicy
    /// The target's entry lifetime.
    public var ttlSeconds: Int64

    /// Creates a file description.
    public init(path: String, policy: BlocklistPolicy, ttlSeconds: Int64) {
        self.path = path
        self.policy = policy
        self.ttlSeconds = ttlSeconds
    }
}
