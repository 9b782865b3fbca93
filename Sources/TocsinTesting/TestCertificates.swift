// SPDX-License-Identifier: Apache-2.0

import Crypto
import Foundation
import SwiftASN1
public import X509

/// A certificate authority made in a test (P-256, valid from an hour ago for a day) that issues
/// server and client certificates, written as PEM files for `tocsin serve` and TLS clients.
public struct TestCertificateAuthority: Sendable {
    /// The CA's self-signed certificate.
    public let certificate: Certificate
    private let key: P256.Signing.PrivateKey

    /// Creates a CA whose subject CN is `name`.
    public init(name: String) throws {
        let key = P256.Signing.PrivateKey()
        let subject = try DistinguishedName { CommonName(name) }
        self.key = key
        self.certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: .init(key.publicKey),
            notValidBefore: Date().addingTimeInterval(-3600),
            notValidAfter: Date().addingTimeInterval(86_400),
            issuer: subject,
            subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            },
            issuerPrivateKey: .init(key)
        )
    }

    /// The CA certificate as PEM.
    public var certificatePEM: String {
        get throws { try certificate.serializeAsPEM().pemString }
    }

    /// A server certificate for `localhost` and `127.0.0.1` (and `::1`).
    public func issueServer(commonName: String = "localhost") throws -> TestIssuedCertificate {
        try issue(
            commonName: commonName,
            alternativeNames: [
                .dnsName("localhost"),
                .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])),
                .ipAddress(ASN1OctetString(contentBytes: ArraySlice([UInt8](repeating: 0, count: 15) + [1]))),
            ],
            usage: .serverAuth
        )
    }

    /// A client certificate with subject CN `commonName` and optional DNS and URI alternative names.
    public func issueClient(
        commonName: String,
        dnsNames: [String] = [],
        uris: [String] = []
    ) throws -> TestIssuedCertificate {
        try issue(
            commonName: commonName,
            alternativeNames: dnsNames.map { .dnsName($0) } + uris.map { .uniformResourceIdentifier($0) },
            usage: .clientAuth
        )
    }

    private func issue(
        commonName: String,
        alternativeNames: [GeneralName],
        usage: ExtendedKeyUsage.Usage
    ) throws -> TestIssuedCertificate {
        let leafKey = P256.Signing.PrivateKey()
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: .init(leafKey.publicKey),
            notValidBefore: Date().addingTimeInterval(-3600),
            notValidAfter: Date().addingTimeInterval(86_400),
            issuer: self.certificate.subject,
            subject: try DistinguishedName { CommonName(commonName) },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([usage])
                if !alternativeNames.isEmpty {
                    SubjectAlternativeNames(alternativeNames)
                }
            },
            issuerPrivateKey: .init(key)
        )
        return TestIssuedCertificate(
            certificatePEM: try certificate.serializeAsPEM().pemString,
            privateKeyPEM: leafKey.pemRepresentation
        )
    }
}

/// A certificate and its private key, as PEM.
public struct TestIssuedCertificate: Sendable {
    /// The certificate (PEM).
    public let certificatePEM: String
    /// The private key (PKCS #8 PEM).
    public let privateKeyPEM: String

    /// Writes `<name>.pem` and `<name>.key` (0600) into `directory`; returns their paths.
    public func write(to directory: String, name: String) throws -> (certificate: String, key: String) {
        let certificate = directory + "/" + name + ".pem"
        let key = directory + "/" + name + ".key"
        try Data(certificatePEM.utf8).write(to: URL(fileURLWithPath: certificate))
        try Data(privateKeyPEM.utf8).write(to: URL(fileURLWithPath: key))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: key)
        return (certificate, key)
    }
}
