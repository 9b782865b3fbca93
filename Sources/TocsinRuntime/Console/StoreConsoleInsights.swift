// SPDX-License-Identifier: Apache-2.0

import Crypto
import TocsinConsole
import TocsinCore
import TocsinStore

/// The console's rates, breaker states, match counts and audit chain, read from the embedded store.
struct StoreConsoleInsights: ConsoleInsightsProvider {
    let store: EventStore
    let dataDirectory: String

    func rates(now: Int64, bucketMilliseconds: Int64, buckets: Int) async throws -> ConsoleInsights.Rates {
        let start = now - bucketMilliseconds * Int64(buckets)
        let boundaries = (0...buckets).map { start + Int64($0) * bucketMilliseconds }
        return ConsoleInsights.Rates(
            ingested: try await store.ingestCounts(boundaries: boundaries),
            delivered: try await store.finishedDeliveryCounts(boundaries: boundaries)
        )
    }

    func breakerStates() async throws -> [String: String] {
        try await store.breakerStates()
    }

    func matchCounts() async throws -> [String: Int64] {
        try await store.matchCounts()
    }

    func lastCheckpoint() async throws -> ConsoleInsights.Checkpoint? {
        guard let checkpoint = try await store.lastCheckpoint() else {
            return nil
        }
        let key = try KeyFiles.loadPublicKey(from: dataDirectory + "/" + KeyFiles.nodePublicKeyName)
        let fingerprint = Hex.encode(SHA256.hash(data: key.rawRepresentation).prefix(16))
        return ConsoleInsights.Checkpoint(
            sequence: checkpoint.sequence,
            hash: Hex.encode(checkpoint.hash),
            signedAt: Timestamp(epochMilliseconds: checkpoint.signedMilliseconds).text,
            keyFingerprint: fingerprint
        )
    }

    /// Walks the whole chain, as `tocsin audit verify` does; on a large log this takes a while.
    func verify() async throws -> ConsoleInsights.Verification {
        let report = try AuditVerifier(dataDirectory: dataDirectory).verify()
        if let failure = report.failure {
            return ConsoleInsights.Verification(
                isIntact: false,
                summary: "Verification failed at record \(failure.sequence): \(failure.reason.rawValue)."
            )
        }
        var summary = "\(report.verifiedRecords) records and \(report.verifiedCheckpoints) signed checkpoints verify"
        summary +=
            report.recordsAfterLastCheckpoint > 0
            ? "; \(report.recordsAfterLastCheckpoint) records after the last checkpoint are protected by the chain only."
            : "."
        return ConsoleInsights.Verification(isIntact: true, summary: summary)
    }
}
