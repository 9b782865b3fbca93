// SPDX-License-Identifier: Apache-2.0

import TocsinCore

/// A self-contained, offline-verifiable proof that some records are in a node's log: an alert with
/// its evidence, rule and actions, or a single event with its actions.
///
/// The log is a linear hash chain (``HashChain``), so a record is proven by the run of links from
/// the record to a signed checkpoint: the bundle carries, per ``Segment``, the chain hash before its
/// first record, then for every sequence number up to the checkpoint either the full canonical bytes
/// (records the bundle presents) or only the record's 32-byte digest (records in between). Every
/// claim (which record is the alert, its evidence, the rule's text and hash, the actions) is
/// checked against the proven bytes by ``ProofBundleVerifier``; nothing in the file is taken on
/// trust. The file format is `docs/bundles.md`.
public struct ProofBundle: Sendable, Hashable {
    /// The value of the file's `format` member; a new layout gets a new value.
    public static let format = "tocsin.proof-bundle.v1"

    /// What the bundle is about.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// A `tocsin.alert.raised` event with its evidence and rule.
        case alert
        /// A single event.
        case event
    }

    /// The rule that raised an alert, as the log recorded it before the alert.
    public struct Rule: Sendable, Hashable {
        /// The rule's id, as the alert names it.
        public var name: String
        /// The record that defined (`tocsin.rule.created`/`updated`) or loaded (`tocsin.rule.loaded`,
        /// or `tocsin.config.reloaded` in logs that recorded names only) the rule; `nil` when the
        /// log has none (a built-in rule).
        public var sequence: Int64?
        /// The rule's text: the JSON definition of an event-pattern rule, the file of a Sigma rule;
        /// `nil` when the record holds only the rule's name.
        public var text: String?
        /// SHA-256 of ``text``'s UTF-8 bytes; `nil` when there is no text.
        public var sha256: [UInt8]?

        /// Creates a rule section.
        public init(name: String, sequence: Int64?, text: String?, sha256: [UInt8]?) {
            self.name = name
            self.sequence = sequence
            self.text = text
            self.sha256 = sha256
        }
    }

    /// A checkpoint as the node signed it: Ed25519 over ``HashChain/checkpointMessage(sequence:hash:)``.
    public struct Checkpoint: Sendable, Hashable {
        /// The last sequence number it covers.
        public var sequence: Int64
        /// The chain hash at ``sequence``.
        public var hash: [UInt8]
        /// The node's signature.
        public var signature: [UInt8]

        /// Creates a checkpoint.
        public init(sequence: Int64, hash: [UInt8], signature: [UInt8]) {
            self.sequence = sequence
            self.hash = hash
            self.signature = signature
        }
    }

    /// One sequence number of a segment's run.
    public enum Entry: Sendable, Hashable {
        /// A presented record: its chain hash (as the log stored it) and its canonical bytes.
        case record(hash: [UInt8], canonical: [UInt8])
        /// A record in between: only `SHA-256(canonical)`.
        case digest([UInt8])
    }

    /// A contiguous run of records from ``start`` to ``checkpoint``'s sequence number.
    public struct Segment: Sendable, Hashable {
        /// The first sequence number of the run.
        public var start: Int64
        /// The chain hash before ``start`` (the record before it, or ``HashChain/genesis``).
        public var previous: [UInt8]
        /// One entry per sequence number, `start` first; the last is at the checkpoint.
        public var entries: [Entry]
        /// The signed checkpoint the run ends at.
        public var checkpoint: Checkpoint

        /// Creates a segment.
        public init(start: Int64, previous: [UInt8], entries: [Entry], checkpoint: Checkpoint) {
            self.start = start
            self.previous = previous
            self.entries = entries
            self.checkpoint = checkpoint
        }
    }

    /// What the bundle is about.
    public var kind: Kind
    /// The sequence number of the alert's event, or of the single event.
    public var subject: Int64
    /// The alert's evidence, in the alert's order (empty for an event bundle).
    public var evidence: [Int64]
    /// The rule that raised the alert (`nil` for an event bundle).
    public var rule: Rule?
    /// The `tocsin.delivery.*` events recording the actions taken for the subject, in log order.
    public var actions: [Int64]
    /// The proofs, in ascending, non-overlapping order.
    public var segments: [Segment]

    /// Creates a bundle.
    public init(kind: Kind, subject: Int64, evidence: [Int64], rule: Rule?, actions: [Int64], segments: [Segment]) {
        self.kind = kind
        self.subject = subject
        self.evidence = evidence
        self.rule = rule
        self.actions = actions
        self.segments = segments
    }

    /// Every presented record's canonical bytes by sequence number.
    public var presentedRecords: [Int64: [UInt8]] {
        var records: [Int64: [UInt8]] = [:]
        for segment in segments {
            for (offset, entry) in segment.entries.enumerated() {
                if case .record(_, let canonical) = entry {
                    records[segment.start + Int64(offset)] = canonical
                }
            }
        }
        return records
    }
}
