// SPDX-License-Identifier: Apache-2.0

import Crypto
import Foundation
import GRDB
import Logging
import ServiceLifecycle
import TocsinCore
import TocsinMetrics

/// The single writer of the log: takes queued appends as one transaction (group commit), extends
/// the hash chain, signs checkpoints, and acknowledges every waiting producer after the commit.
///
/// It starts from a head that ``StartupVerifier`` verified, and hands each signed checkpoint to the
/// witness (if any) after its transaction commits.
struct LogWriter: Service {
    /// The tip of the chain as committed.
    struct Head: Sendable {
        var sequence: Int64
        var hash: [UInt8]
        var checkpointSequence: Int64
        /// The sequence number of the newest `tocsin.checkpoint.signed` record, when it is the
        /// only record after the last checkpoint (0 otherwise).
        var announcementSequence: Int64 = 0

        /// Whether records other than the last checkpoint's own announcement lie after it.
        var hasUncheckpointedRecords: Bool {
            sequence > checkpointSequence && sequence != announcementSequence
        }
    }

    let pool: DatabasePool
    let queue: AppendQueue
    let notifier: CommitNotifier
    let signingKey: Curve25519.Signing.PrivateKey
    let configuration: StoreConfiguration
    /// The verified tip of the chain when the store was opened.
    let initialHead: Head
    let witness: CheckpointWitness?
    let identifiers: EventIdentifiers
    /// The wall clock that dates checkpoints.
    let clock: any WallClock
    let logger: Logger
    /// Events per commit, commit latency and the head.
    let metrics: LogMetrics

    func run() async throws {
        var head = initialHead
        metrics.head(head.sequence)
        // Graceful shutdown drains the queue and signs a final checkpoint; cancellation also closes
        // the queue so the loop ends, failing (never acknowledging) whatever could not be committed.
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                while let batch = await queue.next(maxEvents: configuration.maxEventsPerCommit) {
                    head = await commit(batch, head: head)
                }
                if head.hasUncheckpointedRecords {
                    head = await commit(AppendQueue.Batch(requests: [], wantsCheckpoint: true), head: head)
                } else {
                    witness?.append(nil, logger: logger)
                }
            } onGracefulShutdown: {
                queue.close()
            }
        } onCancel: {
            queue.close()
        }
        logger.info("Log writer stopped.", metadata: ["log.sequence": "\(head.sequence)"])
    }

    private func commit(_ batch: AppendQueue.Batch, head: Head) async -> Head {
        let now = clock.milliseconds
        let requests = batch.requests
        let everyRecords = configuration.checkpointEveryRecords
        let key = signingKey
        let announcer = configuration.announcesCheckpoints ? identifiers : nil
        let started = ContinuousClock.now
        do {
            let (newHead, receipts, checkpoint) = try await pool.write { db in
                var head = head
                let receipts = try Self.append(requests, head: &head, db: db)
                var checkpoint: CheckpointWitness.Entry?
                if head.hasUncheckpointedRecords,
                    batch.wantsCheckpoint || head.sequence - head.checkpointSequence >= everyRecords
                {
                    let signed = try Self.signCheckpoint(head: &head, key: key, now: now, db: db)
                    if let announcer {
                        try Self.announce(signed, head: &head, identifiers: announcer, db: db)
                    }
                    checkpoint = signed
                }
                return (head, receipts, checkpoint)
            }
            let elapsed = started.duration(to: .now).components
            metrics.committed(
                events: receipts.reduce(0) { $0 + $1.count },
                nanoseconds: elapsed.seconds * 1_000_000_000 + elapsed.attoseconds / 1_000_000_000,
                head: newHead.sequence
            )
            for (request, receipt) in zip(requests, receipts) {
                request.continuation.resume(returning: receipt)
            }
            notifier.publish(newHead.sequence)
            // After the commit (a witness line always names a checkpoint the log holds) and after
            // the producers are answered (the fsync adds no latency to their requests).
            if checkpoint != nil || batch.wantsCheckpoint {
                witness?.append(checkpoint, logger: logger)
            }
            return newHead
        } catch {
            logger.error(
                "Group commit failed; producers get an error and nothing is acknowledged.",
                metadata: ["error": "\(error)", "log.events": "\(requests.reduce(0) { $0 + $1.records.count })"]
            )
            for request in requests {
                request.continuation.resume(throwing: error)
            }
            return head
        }
    }

    private static func append(
        _ requests: [AppendQueue.Request],
        head: inout Head,
        db: Database
    ) throws -> [[AppendReceipt]] {
        let lookup = try db.cachedStatement(sql: "SELECT seq FROM events WHERE source = ? AND id = ?")
        let insert = try db.cachedStatement(sql: LogRecord.insertSQL)
        var inBatch: [String: Int64] = [:]
        var all: [[AppendReceipt]] = []
        all.reserveCapacity(requests.count)
        for request in requests {
            var receipts: [AppendReceipt] = []
            receipts.reserveCapacity(request.records.count)
            for prepared in request.records {
                let identity = prepared.source + "\u{0}" + prepared.id
                if let existing = inBatch[identity] {
                    receipts.append(AppendReceipt(sequence: existing, isDuplicate: true))
                    continue
                }
                if let existing = try Int64.fetchOne(lookup, arguments: [prepared.source, prepared.id]) {
                    receipts.append(AppendReceipt(sequence: existing, isDuplicate: true))
                    continue
                }
                var record = prepared
                record.link(sequence: head.sequence + 1, previousHash: head.hash)
                try insert.execute(arguments: record.arguments)
                head.sequence = record.sequence
                head.hash = record.hash
                inBatch[identity] = record.sequence
                receipts.append(AppendReceipt(sequence: record.sequence, isDuplicate: false))
            }
            all.append(receipts)
        }
        return all
    }

    /// Appends the `tocsin.checkpoint.signed` record for `checkpoint` in the same transaction.
    private static func announce(
        _ checkpoint: CheckpointWitness.Entry,
        head: inout Head,
        identifiers: EventIdentifiers,
        db: Database
    ) throws {
        var record = CheckpointAnnouncement.record(for: checkpoint, identifiers: identifiers)
        record.link(sequence: head.sequence + 1, previousHash: head.hash)
        try db.execute(sql: LogRecord.insertSQL, arguments: record.arguments)
        head.sequence = record.sequence
        head.hash = record.hash
        head.announcementSequence = record.sequence
    }

    private static func signCheckpoint(
        head: inout Head,
        key: Curve25519.Signing.PrivateKey,
        now: Int64,
        db: Database
    ) throws -> CheckpointWitness.Entry {
        let message = HashChain.checkpointMessage(sequence: head.sequence, hash: head.hash)
        let signature = Array(try key.signature(for: message))
        try db.execute(
            sql: "INSERT INTO checkpoints (seq, hash, signature, signed_ms) VALUES (?, ?, ?, ?)",
            arguments: [head.sequence, Data(head.hash), Data(signature), now]
        )
        head.checkpointSequence = head.sequence
        return CheckpointWitness.Entry(
            sequence: head.sequence,
            hash: head.hash,
            signature: signature,
            signedMilliseconds: now
        )
    }
}

/// Asks the writer for a checkpoint every ``StoreConfiguration/checkpointInterval``.
struct CheckpointTimer: Service {
    let queue: AppendQueue
    let interval: Duration

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while (try? await Task.sleep(for: interval)) != nil {
                queue.requestCheckpoint()
            }
        }
    }
}
