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
        var isPrepared = false
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                if !isPrepared {
                    try await backfill()
                    isPrepared = true
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

    private func backfill() async throws {
        let pending = try await rebuilder.pendingBackfills(identifiers: store.identifiers)
        if !pending.events.isEmpty {
            _ = try await store.append(pending.events)
            logger.notice(
                "Logged rows written before the log recorded them.",
                metadata: ["event.count": "\(pending.events.count)"]
            )
        }
        for name in pending.names {
            let rebuilt = try await rebuilder.rebuild(name)
            logger.notice(
                "Back-filled a read model from the log.",
                metadata: [
                    "projection": "\(name)", "event.seq": "\(rebuilt.through)", "event.count": "\(rebuilt.events)",
                ]
            )
        }
    }
}
