// SPDX-License-Identifier: Apache-2.0

/// What one delivery attempt came to.
public enum AttemptOutcome: Sendable, Hashable {
    /// The target accepted the delivery.
    case succeeded(status: Int?)
    /// The attempt failed.
    case failed(AttemptFailure)
}

/// Why an attempt failed, as recorded in the dead-letter queue.
public struct AttemptFailure: Error, Sendable, Hashable {
    /// The failure class.
    public enum Kind: String, Sendable, Hashable {
        /// The receiver answered with a non-2xx HTTP status.
        case httpStatus = "http-status"
        /// No answer within the target's timeout.
        case timeout
        /// Connection refused, reset, DNS, TLS.
        case transport
        /// A program exited with a non-zero status (or was killed).
        case exitStatus = "exit-status"
        /// The target refused the input itself (an action precondition); never retried.
        case rejected
        /// The target no longer exists.
        case targetMissing = "target-missing"
    }

    /// The failure class.
    public var kind: Kind
    /// The HTTP status, when there was one.
    public var status: Int?
    /// The exit status, for programs.
    public var exitStatus: Int32?
    /// How long the receiver asked to wait (`Retry-After`), in milliseconds.
    public var retryAfterMilliseconds: Int64?
    /// A short message that names no payload value or secret.
    public var message: String
    /// The target's configuration says this failure cannot get better by retrying (an exit status
    /// listed in an exec target's `permanent_exit_codes`).
    public var isPermanent = false

    /// Creates a failure.
    public init(
        kind: Kind,
        status: Int? = nil,
        exitStatus: Int32? = nil,
        retryAfterMilliseconds: Int64? = nil,
        message: String
    ) {
        self.kind = kind
        self.status = status
        self.exitStatus = exitStatus
        self.retryAfterMilliseconds = retryAfterMilliseconds
        self.message = message
    }

    /// Whether trying again can help: not for 4xx other than 408 and 429, refusals, missing targets
    /// or failures the target declares permanent.
    public var isRetryable: Bool {
        if isPermanent {
            return false
        }
        switch kind {
        case .httpStatus:
            guard let status else {
                return true
            }
            return !(400..<500).contains(status) || status == 408 || status == 429
        case .timeout, .transport, .exitStatus:
            return true
        case .rejected, .targetMissing:
            return false
        }
    }
}
