// SPDX-License-Identifier: Apache-2.0

import Logging
import ServiceLifecycle
import TocsinCore
import TocsinStore

/// Keeps the generically followed read models following the log, after back-filling any that
/// was never built (a projection added since the last start) from the whole log.
///
/// Before the back-fill it appends events for rows the log does not describe yet (identities
/// created before their events existed), so a rebuild never loses them. The back-fill folds into a
/// scratch copy and swaps it in; the server keeps serving meanwhile.
struct ProjectionFollower: Service {
    let store: EventStore
    let rebuilder: ProjectionRebuilder
    let logger: Logger

    func run() async throws {
        var backfillDue: ContinuousClock.Instant? = .now
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                if let due = backfillDue, ContinuousClock.now >= due {
                    backfillDue = try await backfill() ? nil : .now + Self.backfillRetry
                }
                let head = try await store.lastSequence()
                if try await rebuilder.follow() {
                    await store.waitForAppend(after: head, timeout: .seconds(1))
                }
            } catch {
                logger.error("Projection follower failed; retrying from the cursors.", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// How long a read model whose back-fill failed waits before it is tried again.
    static let backfillRetry = Duration.seconds(60)

    /// Back-fills every read model never built; returns whether all of them are now.
    ///
    /// One that fails (a target whose secret is missing) is logged and left unbuilt, so it is not
    /// followed; the others are built and follow the log meanwhile.
    private func backfill() async throws -> Bool {
        let pending = try await rebuilder.pendingBackfills(identifiers: store.identifiers)
        if !pending.events.isEmpty {
            _ = try await store.append(pending.events)
            logger.notice(
                "Logged rows written before the log recorded them.",
                metadata: ["event.count": "\(pending.events.count)"]
            )
        }
        var complete = true
        for name in pending.names {
            do {
                let rebuilt = try await rebuilder.rebuild(name)
                logger.notice(
                    "Back-filled a read model from the log.",
                    metadata: [
                        "projection": "\(name)", "event.seq": "\(rebuilt.through)", "event.count": "\(rebuilt.events)",
                    ]
                )
            } catch {
                complete = false
                logger.error(
                    "A read model could not be back-filled from the log; the others follow the log, and this one is tried again in a minute.",
                    metadata: ["projection": "\(name)", "error": "\(error)"]
                )
            }
        }
        return complete
    }
}
