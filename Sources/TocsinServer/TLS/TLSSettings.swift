// SPDX-License-Identifier: Apache-2.0

import NIOSSL

/// HTTPS for the API, and optionally mutual TLS: PEM files for the server's certificate chain and
/// key, and the CA that client certificates must chain to.
public struct TLSSettings: Sendable, Hashable {
    /// The server's certificate chain (PEM; leaf first).
    public var certificateChainPath: String
    /// The server's private key (PEM, unencrypted).
    public var privateKeyPath: String
    /// The CA certificates (PEM) client certificates must chain to; `nil` for plain HTTPS.
    ///
    /// When set, every connection must present a valid client certificate or the handshake fails.
    public var clientCAPath: String?

    /// Creates the settings.
    public init(certificateChainPath: String, privateKeyPath: String, clientCAPath: String? = nil) {
        self.certificateChainPath = certificateChainPath
        self.privateKeyPath = privateKeyPath
        self.clientCAPath = clientCAPath
    }

    /// Whether clients must present a certificate.
    public var requiresClientCertificates: Bool {
        clientCAPath != nil
    }

    /// Checks that the files can be used, before anything else starts.
    ///
    /// - Throws: ``ServerSetupError`` `.tlsFile` naming the file that cannot be used.
    public func validate() throws(ServerSetupError) {
        _ = try makeConfiguration()
    }

    /// Reads the files and builds swift-nio-ssl's configuration: TLS 1.2 or later and, with a
    /// client CA, verification of the client's chain (no hostname check: the names are matched
    /// against identities after the handshake).
    ///
    /// - Throws: ``ServerSetupError`` `.tlsFile` naming the file that cannot be used.
    func makeConfiguration() throws(ServerSetupError) -> TLSConfiguration {
        let chain = try Self.certificates(certificateChainPath, flag: "--tls-cert")
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: privateKeyPath, format: .pem)
        } catch {
            throw ServerSetupError(
                code: .tlsFile,
                message:
                    "--tls-key \(privateKeyPath): not a readable, unencrypted PEM private key (\(type(of: error))); convert it with 'openssl pkey -in KEY -out key.pem'"
            )
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) },
            privateKey: .privateKey(key)
        )
        configuration.minimumTLSVersion = .tlsv12
        if let clientCAPath {
            configuration.trustRoots = .certificates(try Self.certificates(clientCAPath, flag: "--client-ca"))
            configuration.certificateVerification = .noHostnameVerification
            configuration.sendCANameList = true
        }
        return configuration
    }

    private static func certificates(_ path: String, flag: String) throws(ServerSetupError) -> [NIOSSLCertificate] {
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMFile(path)
        } catch {
            throw ServerSetupError(
                code: .tlsFile,
                message:
                    "\(flag) \(path): not a readable PEM certificate file (\(type(of: error))); check the path and the format"
            )
        }
        guard !certificates.isEmpty else {
            throw ServerSetupError(code: .tlsFile, message: "\(flag) \(path): holds no PEM certificate")
        }
        return certificates
    }
}
