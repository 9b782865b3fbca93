// SPDX-License-Identifier: Apache-2.0

/// The audit page: the log's head, its last signed checkpoint, and the result of a verification.
public struct AuditPage: Sendable {
    /// The page chrome.
    public var chrome: PageChrome
    /// The highest sequence number.
    public var head: String
    /// The last signed checkpoint, or `nil` when none has been signed yet.
    public var checkpoint: ConsoleInsights.Checkpoint?
    /// The outcome of "verify now", or `nil` before one ran.
    public var verification: ConsoleInsights.Verification?
    /// Whether the "verify now" button shows (the caller holds `audit:verify`).
    public var canVerify: Bool
}
