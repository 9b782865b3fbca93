// SPDX-License-Identifier: Apache-2.0

import Logging
import ServiceLifecycle
import TocsinActions
import TocsinCore

/// Runs ``BlocklistExpiry`` for the routing table in force, until shutdown.
struct BlocklistExpiryService: Service {
    let blocklist: StoreBlocklist
    let state: RoutingState
    let logger: Logger

    func run() async throws {
        try await run(on: blocklist.clock)
    }

    /// Runs the timer on the store blocklist's clock (the runtime's injected wall clock).
    private func run<C: WallClock>(on clock: C) async throws {
        let blocklist = self.blocklist
        let state = self.state
        let logger = self.logger
        let expiry = BlocklistExpiry(
            clock: clock,
            blocklist: blocklist,
            files: { blocklist.files(of: state.current) },
            failed: { path, error in
                logger.error(
                    "Blocklist file could not be rewritten.",
                    metadata: ["file.path": "\(path)", "error": "\(error)"]
                )
            }
        )
        do {
            try await cancelWhenGracefulShutdown {
                try await expiry.run()
            }
        } catch is CancellationError {
            return
        }
    }
}
