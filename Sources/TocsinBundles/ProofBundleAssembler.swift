// SPDX-License-Identifier: Apache-2.0

import TocsinCore

/// Read access to a log's chain, as the assembler needs it: runs of records and signed checkpoints.
///
/// The store implements it over its database; tests implement it over an array.
public protocol ChainReading {
    /// Calls `body` with every record from `first` through `last`, in order, as stored.
    ///
    /// - Throws: what `body` throws, and read errors.
    func forEachRecord(
        from first: Int64,
        through last: Int64,
        _ body: (ChainRecord) throws(BundleError) -> Void
    ) throws
    /// The first signed checkpoint at or after `sequence`, or `nil` when none covers it yet.
    func checkpoint(coveringSequence sequence: Int64) throws -> ProofBundle.Checkpoint?
    /// The last signed checkpoint, or `nil` when none was signed yet.
    func lastCheckpoint() throws -> ProofBundle.Checkpoint?
}

/// One record as the log stores it.
public struct ChainRecord: Sendable, Hashable {
    /// Its sequence number.
    public var sequence: Int64
    /// Its canonical bytes.
    public var canonical: [UInt8]
    /// The stored chain hash before it.
    public var previousHash: [UInt8]
    /// Its stored chain hash.
    public var hash: [UInt8]

    /// Creates a record.
    public init(sequence: Int64, canonical: [UInt8], previousHash: [UInt8], hash: [UInt8]) {
        self.sequence = sequence
        self.canonical = canonical
        self.previousHash = previousHash
        self.hash = hash
    }
}

/// Builds the proof part of a bundle: which records it presents, and the runs that link each of
/// them to the first signed checkpoint that covers it.
///
/// Records are grouped by their covering checkpoint; each group becomes one segment from its first
/// record to the checkpoint, with full bytes for the presented records and digests for the others.
/// Every link is recomputed from the stored bytes, so a log that does not verify where the bundle
/// needs it yields an error instead of a bundle that would not verify.
public struct ProofBundleAssembler {
    private let chain: any ChainReading

    /// Prepares to read `chain`.
    public init(chain: any ChainReading) {
        self.chain = chain
    }

    /// A bundle presenting `subject`, `evidence`, the rule's record and `actions`.
    ///
    /// - Throws: ``BundleError`` with code ``BundleError/Code/notCheckpointed`` naming the first
    ///   record no signed checkpoint covers yet, or ``BundleError/Code/logDoesNotVerify`` naming
    ///   where the stored chain breaks; read errors.
    public func assemble(
        kind: ProofBundle.Kind,
        subject: Int64,
        evidence: [Int64],
        rule: ProofBundle.Rule?,
        actions: [Int64]
    ) throws -> ProofBundle {
        var presented = Set([subject]).union(evidence).union(actions)
        if let sequence = rule?.sequence {
            presented.insert(sequence)
        }
        var groups: [(checkpoint: ProofBundle.Checkpoint, records: [Int64])] = []
        for sequence in presented.sorted() {
            if let last = groups.last, sequence <= last.checkpoint.sequence {
                groups[groups.count - 1].records.append(sequence)
                continue
            }
            guard let checkpoint = try chain.checkpoint(coveringSequence: sequence) else {
                let last = try chain.lastCheckpoint()
                throw BundleError(
                    code: .notCheckpointed,
                    message: "record \(sequence) lies after the last signed checkpoint ("
                        + (last.map { "sequence \($0.sequence)" } ?? "none signed yet")
                        + "), so nothing signed proves it yet. The server signs one every --checkpoint-seconds "
                        + "(default 60); run this again after the next one",
                    sequence: sequence
                )
            }
            groups.append((checkpoint, [sequence]))
        }
        var segments: [ProofBundle.Segment] = []
        for group in groups {
            segments.append(try segment(presenting: Set(group.records), first: group.records[0], to: group.checkpoint))
        }
        return ProofBundle(
            kind: kind,
            subject: subject,
            evidence: evidence,
            rule: rule,
            actions: actions,
            segments: segments
        )
    }

    private func segment(
        presenting presented: Set<Int64>,
        first: Int64,
        to checkpoint: ProofBundle.Checkpoint
    ) throws -> ProofBundle.Segment {
        var entries: [ProofBundle.Entry] = []
        var previous: [UInt8]?
        var running: [UInt8] = []
        var expected = first
        try chain.forEachRecord(from: first, through: checkpoint.sequence) { (record) throws(BundleError) in
            guard record.sequence == expected else {
                throw Self.broken(expected, "record \(expected) is missing from the log")
            }
            if previous == nil {
                previous = record.previousHash
                running = record.previousHash
            }
            let digest = HashChain.digest(canonical: record.canonical)
            running = HashChain.link(previous: running, digest: digest)
            guard running == record.hash else {
                throw Self.broken(record.sequence, "record \(record.sequence) does not match its chain hash")
            }
            entries.append(
                presented.contains(record.sequence)
                    ? .record(hash: record.hash, canonical: record.canonical) : .digest(digest)
            )
            expected += 1
        }
        guard let previous, expected == checkpoint.sequence + 1 else {
            throw Self.broken(expected, "record \(expected) is missing from the log")
        }
        guard running == checkpoint.hash else {
            throw Self.broken(checkpoint.sequence, "the checkpoint at \(checkpoint.sequence) names another chain hash")
        }
        return ProofBundle.Segment(start: first, previous: previous, entries: entries, checkpoint: checkpoint)
    }

    private static func broken(_ sequence: Int64, _ problem: String) -> BundleError {
        BundleError(
            code: .logDoesNotVerify,
            message: "\(problem); run 'tocsin audit verify' to find what was altered",
            sequence: sequence
        )
    }
}

/// Not `Sendable`: the chain it reads (a database connection inside a read) belongs to one task.
@available(*, unavailable)
extension ProofBundleAssembler: Sendable {}
