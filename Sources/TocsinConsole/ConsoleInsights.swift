// SPDX-License-Identifier: Apache-2.0

/// What the console shows that the `/v1` API does not serve.
///
/// Rates, breaker states, match counts and the audit chain; the runtime implements it over the store.
public protocol ConsoleInsightsProvider: Sendable {
    /// Events ingested and deliveries finished in each of `buckets` buckets of `bucketMilliseconds`
    /// that end at `now` (Unix milliseconds), oldest first.
    func rates(now: Int64, bucketMilliseconds: Int64, buckets: Int) async throws -> ConsoleInsights.Rates
    /// Each target's breaker state by target name (`closed`, `open`, `half-open`).
    func breakerStates() async throws -> [String: String]
    /// Each rule's match count by rule name.
    func matchCounts() async throws -> [String: Int64]
    /// The last signed checkpoint, or `nil` when none has been signed.
    func lastCheckpoint() async throws -> ConsoleInsights.Checkpoint?
    /// Re-walks the chain and checks the checkpoints.
    func verify() async throws -> ConsoleInsights.Verification
}

/// The values ``ConsoleInsightsProvider`` answers with.
public enum ConsoleInsights: Sendable {
    /// Counts per bucket, oldest first.
    public struct Rates: Sendable, Hashable {
        /// Events appended to the log.
        public var ingested: [Int]
        /// Deliveries that finished (succeeded or dead-lettered).
        public var delivered: [Int]

        /// Creates the counts.
        public init(ingested: [Int], delivered: [Int]) {
            self.ingested = ingested
            self.delivered = delivered
        }
    }

    /// One signed checkpoint.
    public struct Checkpoint: Sendable, Hashable {
        /// The sequence number it covers.
        public var sequence: Int64
        /// The chain hash at that sequence (hex).
        public var hash: String
        /// When it was signed (RFC 3339).
        public var signedAt: String
        /// The signing key's fingerprint.
        public var keyFingerprint: String

        /// Creates a checkpoint summary.
        public init(sequence: Int64, hash: String, signedAt: String, keyFingerprint: String) {
            self.sequence = sequence
            self.hash = hash
            self.signedAt = signedAt
            self.keyFingerprint = keyFingerprint
        }
    }

    /// The outcome of a verification.
    public struct Verification: Sendable, Hashable {
        /// Whether the chain and every checkpoint verified.
        public var isIntact: Bool
        /// One sentence: what was checked, or the first record that failed.
        public var summary: String

        /// Creates an outcome.
        public init(isIntact: Bool, summary: String) {
            self.isIntact = isIntact
            self.summary = summary
        }
    }
}
