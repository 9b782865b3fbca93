// SPDX-License-Identifier: Apache-2.0

/// The port that decides whether a presented API key is valid.
public protocol APIKeyVerifier: Sendable {
    /// Whether `key` is an active API key.
    func isValid(_ key: String) -> Bool
}
