// SPDX-License-Identifier: Apache-2.0

#if NATS
import TocsinCluster

/// The chain store's hashes at chosen stream sequences, for a new lease holder's check against its
/// witness file.
enum ChainStoreHashes {
    /// The hash the chain store holds at each of `sequences`; a sequence no record covers is absent.
    ///
    /// Walks the store from its first record (eight direct gets at a time) until it has passed the
    /// highest of them: one read of the store up to the newest witnessed checkpoint.
    ///
    /// - Throws: ``NATSError`` when the store cannot be read.
    static func read(_ sequences: [Int64], connection: NATSConnection, store: String) async throws -> [Int64: [UInt8]] {
        guard let highest = sequences.max() else {
            return [:]
        }
        let lastStore = try await connection.streamInfo(store).lastSequence
        var found: [Int64: [UInt8]] = [:]
        var next: UInt64 = 1
        while next <= lastStore {
            let batch = try await connection.messages(stream: store, from: next, limit: 8)
            guard let last = batch.last else {
                return found
            }
            for message in batch {
                guard let record = ChainStoreRecord(bytes: message.payload)?.record, !record.hashes.isEmpty else {
                    continue
                }
                for sequence in sequences where sequence >= record.firstSequence && sequence <= record.lastSequence {
                    found[sequence] = record.hashes[Int(sequence - record.firstSequence)]
                }
                if record.lastSequence >= highest {
                    return found
                }
            }
            next = last.sequence + 1
        }
        return found
    }
}
#endif
