// SPDX-License-Identifier: Apache-2.0

/// A checkpoint this node signed and wrote to its own witness file: the chain hash at `sequence`.
public struct WitnessedCheckpoint: Sendable, Hashable {
    /// The line of the witness file that holds it (1-based), for the operator.
    public var line: Int
    /// The stream sequence it covers.
    public var sequence: Int64
    /// The chain hash at that sequence.
    public var hash: [UInt8]

    /// Creates a witnessed checkpoint.
    public init(line: Int, sequence: Int64, hash: [UInt8]) {
        self.line = line
        self.sequence = sequence
        self.hash = hash
    }
}

extension ClusterChainer {
    /// The takeover check, after the head is read: the newest witnessed checkpoint past the store's
    /// end halts at once (a rollback); otherwise the store's hashes at the witnessed sequences are read.
    mutating func checkWitness(against head: ChainHead?) -> [Decision] {
        let storeEnd = head?.record.lastSequence ?? 0
        if let ahead = witnessed.filter({ $0.sequence > storeEnd }).min(by: { $0.line < $1.line }) {
            return halt(.witnessAhead(line: ahead.line, sequence: ahead.sequence, storeEnd: storeEnd))
        }
        phase = .checkingWitness(head)
        return [.readChainHashes(Array(Set(witnessed.map(\.sequence))).sorted())]
    }

    /// Compares the store's hashes with every witnessed checkpoint (in line order); chains on only
    /// when all match.
    mutating func witnessChecked(_ hashes: [Int64: [UInt8]], head: ChainHead?, now: Int64) -> [Decision] {
        for checkpoint in witnessed.sorted(by: { $0.line < $1.line })
        where hashes[checkpoint.sequence] != checkpoint.hash {
            return halt(.witnessMismatch(line: checkpoint.line, sequence: checkpoint.sequence))
        }
        isWitnessChecked = true
        resume(from: head, now: now)
        return next(now: now)
    }

    private mutating func halt(_ halt: Halt) -> [Decision] {
        phase = .halted(halt)
        return [.halt(halt)]
    }
}
