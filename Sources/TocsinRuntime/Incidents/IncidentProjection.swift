// SPDX-License-Identifier: Apache-2.0

import Logging
import ServiceLifecycle
import TocsinCore
import TocsinResponse
import TocsinStore

/// Follows the log by a persisted cursor and folds alerts and incident actions into the alert and
/// incident read models, then appends one `tocsin.incident.opened` event per new incident.
///
/// The opened events are an outbox: an incident is marked announced only after its event is in the
/// log, and its event id is derived from the incident, so a crash between the fold and the append
/// announces it again on restart without a second copy in the log.
struct IncidentProjection: Service {
    static let batchSize = 512

    let store: EventStore
    let logger: Logger

    func run() async throws {
        var legacyImported = false
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                if !legacyImported {
                    try await importLegacyIncidents()
                    legacyImported = true
                }
                let progress = try await store.incidents.project(limit: Self.batchSize)
                report(progress)
                try await announce()
                if progress.isCaughtUp {
                    await store.waitForAppend(after: progress.through, timeout: .seconds(1))
                }
            } catch {
                logger.error(
                    "Incident projection failed; retrying from the cursor.",
                    metadata: ["error": "\(error)"]
                )
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// Appends the `tocsin.incident.opened` events not yet known to be in the log.
    private func announce() async throws {
        while true {
            let incidents = try await store.incidents.unannounced()
            if incidents.isEmpty {
                return
            }
            _ = try await store.append(incidents.map { $0.openedEvent(identifiers: store.identifiers) })
            try await store.incidents.markAnnounced(incidents.map(\.id))
        }
    }

    /// Raises one alert per incident the `incident` target recorded before alerts existed, so that
    /// the log holds them and the read model rebuilds them; then drops the old table.
    private func importLegacyIncidents() async throws {
        let alerts = try await store.incidents.legacyIncidentAlerts()
        if !alerts.isEmpty {
            _ = try await store.append(alerts.map { $0.event(identifiers: store.identifiers) })
            logger.notice(
                "Raised one alert per incident recorded before the alert model.",
                metadata: ["incident.count": "\(alerts.count)"]
            )
        }
        try await store.incidents.dropLegacyIncidents()
    }

    private func report(_ progress: IncidentStore.Progress) {
        for skipped in progress.skipped {
            logger.warning(
                "An alert or incident event was not applied to the read model.",
                metadata: [
                    "event.seq": "\(skipped.sequence)", "event.type": "\(skipped.type)", "reason": "\(skipped.reason)",
                ]
            )
        }
    }
}
