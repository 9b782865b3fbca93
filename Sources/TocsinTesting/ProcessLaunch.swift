// SPDX-License-Identifier: Apache-2.0

public import Foundation
import Synchronization

/// Starts Foundation `Process`es one at a time in the test process.
///
/// Swift Testing runs suites in parallel, and twice a suite crashed inside Foundation's
/// `Process.run()` (a `memcpy` reading an unmapped page) while other tests started processes. No
/// test changes the environment meanwhile; serialising the launches (each takes about a millisecond)
/// rules out a race between concurrent `run()` calls.
public enum ProcessLaunch: Sendable {
    private static let lock = Mutex(())

    /// Runs `process` (see `Process.run()`), no other launch through here running at the same time.
    ///
    /// - Throws: What `Process.run()` throws.
    public static func run(_ process: Process) throws {
        try lock.withLock { _ in try process.run() }
    }
}
