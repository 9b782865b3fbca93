// SPDX-License-Identifier: Apache-2.0

#if NATS
internal import CNats

/// How Tocsin proves who it is to the NATS servers, and how it checks who they are.
///
/// Whoever can connect to the cluster unauthenticated can read the log, publish into it and rewrite
/// the identities bucket, so a production cluster requires credentials (docs/scale-out.md#security).
/// The description never shows a password.
public struct NATSAuthentication: Sendable, Hashable, CustomStringConvertible, CustomReflectable {
    /// What the client presents; its description and mirror never show the password.
    public enum Credentials: Sendable, Hashable, CustomStringConvertible, CustomReflectable {
        /// Nothing: the servers must allow anonymous clients.
        case none
        /// A user name and its password (the servers' `authorization { users = […] }`).
        case userPassword(user: String, password: String)
        /// A `.creds` file holding a user JWT and its NKey seed (an operator-mode cluster's decentralised
        /// authentication); libnats reads it and signs the servers' nonce with the seed.
        case credentialsFile(path: String)

        /// The method, and the user or file, without the password.
        public var description: String {
            switch self {
            case .none: "anonymous"
            case .userPassword(let user, _): "user \(user) with a password"
            case .credentialsFile(let path): "credentials file \(path)"
            }
        }

        /// What `dump` and reflection show: the description only.
        public var customMirror: Mirror {
            Mirror(self, children: ["credentials": description])
        }
    }

    /// What the client presents.
    public var credentials: Credentials
    /// A PEM file of the certificate authorities that sign the servers' certificates.
    ///
    /// Setting it (or a client certificate) makes every connection TLS.
    public var trustedCertificatesFile: String?
    /// A PEM client certificate chain, for servers that verify clients (`tls { verify: true }`).
    public var certificateChainFile: String?
    /// The PEM private key of ``certificateChainFile``.
    public var privateKeyFile: String?

    /// Creates the settings; the default is anonymous and in clear.
    public init(
        credentials: Credentials = .none,
        trustedCertificatesFile: String? = nil,
        certificateChainFile: String? = nil,
        privateKeyFile: String? = nil
    ) {
        self.credentials = credentials
        self.trustedCertificatesFile = trustedCertificatesFile
        self.certificateChainFile = certificateChainFile
        self.privateKeyFile = privateKeyFile
    }

    /// Whether connections use TLS.
    public var usesTLS: Bool {
        trustedCertificatesFile != nil || certificateChainFile != nil
    }

    /// Whether the client presents anything to the servers (credentials or a client certificate).
    public var authenticates: Bool {
        credentials != .none || certificateChainFile != nil
    }

    /// What `dump` and reflection show: the description only.
    public var customMirror: Mirror {
        Mirror(self, children: ["authentication": description])
    }

    /// What logs show: the method and file names, never a password.
    public var description: String {
        var parts = [credentials.description]
        if usesTLS {
            parts.append("TLS")
        }
        if let certificateChainFile {
            parts.append("client certificate \(certificateChainFile)")
        }
        return parts.joined(separator: ", ")
    }

    /// Sets these choices on libnats options.
    func apply(to options: OpaquePointer?) throws(NATSError) {
        switch credentials {
        case .none:
            break
        case .userPassword(let user, let password):
            try NATSError.check(natsOptions_SetUserInfo(options, user, password), operation: "set the NATS user")
        case .credentialsFile(let path):
            try NATSError.check(
                natsOptions_SetUserCredentialsFromFiles(options, path, nil),
                operation: "read the NATS credentials file \(path)"
            )
        }
        guard usesTLS else {
            return
        }
        try NATSError.check(natsOptions_SetSecure(options, true), operation: "turn on TLS to NATS")
        if let trustedCertificatesFile {
            try NATSError.check(
                natsOptions_LoadCATrustedCertificates(options, trustedCertificatesFile),
                operation: "read the NATS certificate authorities \(trustedCertificatesFile)"
            )
        }
        if let certificateChainFile {
            guard let privateKeyFile else {
                throw NATSError(
                    code: .refused,
                    message: "a NATS client certificate needs its private key file as well"
                )
            }
            try NATSError.check(
                natsOptions_LoadCertificatesChain(options, certificateChainFile, privateKeyFile),
                operation: "read the NATS client certificate \(certificateChainFile) and key \(privateKeyFile)"
            )
        }
    }
}
#endif
