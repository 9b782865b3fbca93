// SPDX-License-Identifier: Apache-2.0

/// Where an archive run may cut the live log: the decision, without I/O.
///
/// The chain is linear, so only a whole prefix can leave the live log. A range is archived once
/// every record in it is past its retention: the prefix ends before the first record that is not
/// (or that is kept forever), so one long-kept record holds back every record after it. The cut
/// also lands exactly on a signed checkpoint, so the archive carries the signature that covers
/// its last record, and only when a later checkpoint exists, so the live log keeps a signed
/// checkpoint over a record it still holds (start-up verification resumes from it). Finally the
/// cut never passes `limit`: records the router has not read yet, and records that pending or
/// dead-lettered deliveries still need, stay live.
public enum ArchiveCut: Sendable {
    /// The last sequence number to archive, or `nil` when nothing can be archived yet.
    ///
    /// - Parameters:
    ///   - liveFirst: The first sequence number in the live log.
    ///   - expiredThrough: The last record of the live log's longest expired prefix (`liveFirst - 1`
    ///     when its first record has not expired).
    ///   - checkpoints: The sequence numbers of the signed checkpoints, in any order.
    ///   - limit: The last sequence number other readers allow to leave (`Int64.max` for no limit).
    /// - Returns: The last sequence number to archive, or `nil`.
    public static func sequence(
        liveFirst: Int64,
        expiredThrough: Int64,
        checkpoints: [Int64],
        limit: Int64
    ) -> Int64? {
        let bound = min(expiredThrough, limit)
        guard let newest = checkpoints.max() else {
            return nil
        }
        return checkpoints.filter { $0 >= liveFirst && $0 <= bound && $0 < newest }.max()
    }
}
