// SPDX-License-Identifier: Apache-2.0

/// A server setting that cannot be used as given: a TLS file, a JWKS or a JWT option.
///
/// The message names the file or option and says how to fix it; it never contains key material
/// or tokens.
public struct ServerSetupError: Error, Sendable, CustomStringConvertible {
    /// A stable, machine-readable reason.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String

        private init(_ name: String) {
            self.name = name
        }

        /// A certificate, key or CA file is missing, unreadable or not PEM.
        public static let tlsFile = Code("tls-file")
        /// The JWKS could not be read or holds no usable signing key.
        public static let jwks = Code("jwks")
        /// A JWT option is invalid (an unknown role, a scope that is not an event pattern).
        public static let jwtOption = Code("jwt-option")

        /// The code's stable text.
        public var description: String {
            name
        }
    }

    /// The reason.
    public var code: Code
    /// What happened and how to fix it.
    public var message: String

    /// Creates an error.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String {
        message
    }
}
