// SPDX-License-Identifier: Apache-2.0

public import Crypto
import TocsinCore
public import TocsinResponse

/// Verifies a proof bundle offline, with only the node's public key.
///
/// It reads the file in its canonical form only, recomputes every record's digest from its
/// canonical bytes and every link up to each checkpoint, checks each checkpoint's Ed25519
/// signature, and then checks every claim of the bundle against the proven records: that the
/// subject is the alert (or event) it says, that the evidence is exactly the alert's, that the rule
/// text and hash are the ones the log recorded, and that each action names the subject. The first
/// failure is thrown, naming the segment, sequence number or JSON path.
public struct ProofBundleVerifier: Sendable {
    /// What a bundle proved.
    public struct Report: Sendable {
        /// The bundle as read.
        public var bundle: ProofBundle
        /// The subject's record.
        public var subject: CanonicalRecord
        /// The alert, for an alert bundle.
        public var alert: Alert?
        /// The evidence records, in the alert's order.
        public var evidence: [CanonicalRecord]
        /// The record that defined or loaded the rule, when the log has one.
        public var rule: CanonicalRecord?
        /// The action records, in log order.
        public var actions: [CanonicalRecord]
        /// The checkpoints whose signatures verified, in order.
        public var checkpoints: [ProofBundle.Checkpoint]
    }

    private let publicKey: Curve25519.Signing.PublicKey

    /// Prepares to verify with the node's public key.
    public init(publicKey: Curve25519.Signing.PublicKey) {
        self.publicKey = publicKey
    }

    /// Verifies a bundle file's bytes.
    ///
    /// - Throws: ``BundleError``: ``BundleError/Code/malformed`` or ``BundleError/Code/unsupported``
    ///   for the file itself, ``BundleError/Code/chainMismatch`` when a record or digest does not
    ///   link up to its checkpoint, ``BundleError/Code/badSignature`` for a checkpoint the key did not
    ///   sign, ``BundleError/Code/contentMismatch`` for a claim the records do not support.
    public func verify(_ bytes: [UInt8]) throws(BundleError) -> Report {
        let bundle = try ProofBundle(bytes: bytes)
        try checkLayout(bundle)
        for (index, segment) in bundle.segments.enumerated() {
            try checkChain(segment, index: index)
            let message = HashChain.checkpointMessage(
                sequence: segment.checkpoint.sequence,
                hash: segment.checkpoint.hash
            )
            guard publicKey.isValidSignature(segment.checkpoint.signature, for: message) else {
                throw BundleError(
                    code: .badSignature,
                    message: "the checkpoint at \(segment.checkpoint.sequence) (segment \(index)) is not signed by "
                        + "this public key: the key is not this node's, or the checkpoint was altered",
                    sequence: segment.checkpoint.sequence
                )
            }
        }
        var records: [Int64: CanonicalRecord] = [:]
        for (sequence, canonical) in bundle.presentedRecords {
            records[sequence] = try CanonicalRecord(canonical: canonical, sequence: sequence)
        }
        return try BundleClaims(bundle: bundle, records: records).check(checkpoints: bundle.segments.map(\.checkpoint))
    }

    private func checkLayout(_ bundle: ProofBundle) throws(BundleError) {
        guard !bundle.segments.isEmpty else {
            throw BundleError(code: .malformed, message: "$.segments is empty: the bundle proves nothing")
        }
        var end: Int64 = 0
        for (index, segment) in bundle.segments.enumerated() {
            guard segment.start > end else {
                throw BundleError(
                    code: .malformed,
                    message: "$.segments[\(index)] starts at \(segment.start), inside or before the segment before it"
                )
            }
            let last = segment.start + Int64(segment.entries.count) - 1
            guard last == segment.checkpoint.sequence else {
                throw BundleError(
                    code: .malformed,
                    message:
                        "$.segments[\(index)] runs to \(last) but its checkpoint is at \(segment.checkpoint.sequence)"
                )
            }
            end = last
        }
    }

    private func checkChain(_ segment: ProofBundle.Segment, index: Int) throws(BundleError) {
        var running = segment.previous
        var lastRecord: Int64?
        for (offset, entry) in segment.entries.enumerated() {
            let sequence = segment.start + Int64(offset)
            switch entry {
            case .digest(let digest):
                running = HashChain.link(previous: running, digest: digest)
            case .record(let hash, let canonical):
                running = HashChain.link(previous: running, digest: HashChain.digest(canonical: canonical))
                guard running == hash else {
                    let from =
                        lastRecord.map { "a digest after record \($0)" }
                        ?? (sequence == segment.start ? "$.segments[\(index)].previous" : "a digest before it")
                    throw BundleError(
                        code: .chainMismatch,
                        message: "record \(sequence) does not hash to the chain hash it claims: its bytes, its "
                            + "claimed hash or \(from) was altered",
                        sequence: sequence
                    )
                }
                lastRecord = sequence
            }
        }
        guard running == segment.checkpoint.hash else {
            let after = lastRecord.map { "after record \($0)" } ?? "in the segment"
            throw BundleError(
                code: .chainMismatch,
                message: "segment \(index) (\(segment.start)–\(segment.checkpoint.sequence)) does not hash to its "
                    + "checkpoint's hash: a digest \(after) or the checkpoint hash was altered",
                sequence: segment.checkpoint.sequence
            )
        }
    }
}
