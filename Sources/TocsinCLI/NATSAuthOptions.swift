// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import Foundation
import TocsinConfig
import TocsinRuntime

#if canImport(Glibc)
import Glibc
#endif

#if NATS
import TocsinNATS
#endif

/// `--nats-user`, `--nats-password-file`, `--nats-creds`, `--nats-tls-ca`, `--nats-tls-cert`,
/// `--nats-tls-key` and `--nats-insecure-no-auth`: how `serve`, `audit verify` and `migrate`
/// authenticate to a NATS cluster (docs/scale-out.md#security).
///
/// Secrets come from files that only their owner may read, never from the command line. Without
/// credentials a cluster whose servers are not all on loopback is refused.
struct NATSAuthOptions: ParsableArguments {
    @Option(
        name: .customLong("nats-user"),
        help: ArgumentHelp(
            "With --backend nats: the NATS user name; its password is in --nats-password-file (env TOCSIN_NATS_USER).",
            valueName: "name"
        )
    )
    var user: String?

    @Option(
        name: .customLong("nats-password-file"),
        help: ArgumentHelp(
            "With --backend nats: a file (mode 600) holding the password of --nats-user (env TOCSIN_NATS_PASSWORD_FILE).",
            valueName: "file"
        )
    )
    var passwordFile: String?

    @Option(
        name: .customLong("nats-creds"),
        help: ArgumentHelp(
            "With --backend nats: a .creds file (mode 600: user JWT and NKey seed) for an operator-mode cluster (env TOCSIN_NATS_CREDS).",
            valueName: "file"
        )
    )
    var credentialsFile: String?

    @Option(
        name: .customLong("nats-tls-ca"),
        help: ArgumentHelp(
            "With --backend nats: PEM certificate authorities that sign the servers' certificates; turns on TLS (env TOCSIN_NATS_TLS_CA).",
            valueName: "file"
        )
    )
    var trustedCertificates: String?

    @Option(
        name: .customLong("nats-tls-cert"),
        help: ArgumentHelp(
            "With --backend nats: a PEM client certificate chain for servers that verify clients; needs --nats-tls-key (env TOCSIN_NATS_TLS_CERT).",
            valueName: "file"
        )
    )
    var certificate: String?

    @Option(
        name: .customLong("nats-tls-key"),
        help: ArgumentHelp(
            "With --backend nats: the PEM private key (mode 600) of --nats-tls-cert (env TOCSIN_NATS_TLS_KEY).",
            valueName: "file"
        )
    )
    var privateKey: String?

    @Flag(
        name: .customLong("nats-insecure-no-auth"),
        help:
            "With --backend nats: connect without credentials to servers off loopback. Whoever reaches them can read the log and act as admin; for throw-away test clusters only (env TOCSIN_NATS_INSECURE_NO_AUTH)."
    )
    var insecureNoAuth = false

    /// Whether any of these settings is given (they apply only to a NATS backend).
    func isSet(_ settings: ServeSettings) -> Bool {
        [
            settings.text(.natsUser, user), settings.text(.natsPasswordFile, passwordFile),
            settings.text(.natsCredentials, credentialsFile), settings.text(.natsTLSCA, trustedCertificates),
            settings.text(.natsTLSCertificate, certificate), settings.text(.natsTLSKey, privateKey),
        ].contains { $0 != nil } || settings.isOn(.natsInsecureNoAuth, insecureNoAuth)
    }

    /// The authentication for `servers`, with the password read from its file.
    ///
    /// - Throws: `ValidationError` for a user without a password file (or the reverse), two kinds
    ///   of credentials at once, a certificate without its key, a secret file that group or others
    ///   may read, an unreadable or empty file, a password sent in clear to a server off loopback, or
    ///   no credentials for servers off loopback without `--nats-insecure-no-auth`.
    func authentication(servers: [String], settings: ServeSettings) throws -> ClusterAuthentication {
        var authentication = ClusterAuthentication()
        let user = settings.text(.natsUser, user)
        let passwordFile = settings.text(.natsPasswordFile, passwordFile)
        authentication.credentialsFile = settings.text(.natsCredentials, credentialsFile)
        authentication.trustedCertificatesFile = settings.text(.natsTLSCA, trustedCertificates)
        authentication.certificateChainFile = settings.text(.natsTLSCertificate, certificate)
        authentication.privateKeyFile = settings.text(.natsTLSKey, privateKey)
        switch (user, passwordFile) {
        case (let user?, let passwordFile?):
            guard authentication.credentialsFile == nil else {
                throw ValidationError("give either --nats-user with --nats-password-file or --nats-creds, not both")
            }
            authentication.userName = user
            authentication.password = try Self.readSecret(passwordFile, flag: "--nats-password-file")
        case (nil, nil):
            break
        default:
            throw ValidationError("--nats-user and --nats-password-file go together; give both or neither")
        }
        if let credentialsFile = authentication.credentialsFile {
            _ = try Self.readSecret(credentialsFile, flag: "--nats-creds")
        }
        switch (authentication.certificateChainFile, authentication.privateKeyFile) {
        case (_?, let key?):
            _ = try Self.readSecret(key, flag: "--nats-tls-key")
        case (nil, nil):
            break
        default:
            throw ValidationError("--nats-tls-cert and --nats-tls-key go together; give both or neither")
        }
        for (flag, file) in [
            ("--nats-tls-ca", authentication.trustedCertificatesFile),
            ("--nats-tls-cert", authentication.certificateChainFile),
        ] {
            if let file, !FileManager.default.isReadableFile(atPath: file) {
                throw ValidationError("\(flag): cannot read \(file); give the path of a PEM file")
            }
        }
        // `servers` come from NATSServerAddress (ClusterOptions and NATSAuditOptions), so they parse.
        let addresses = servers.compactMap(NATSServerAddress.parse)
        let remote = addresses.filter { !$0.isLoopback }.map(\.url)
        // Any tls:// URL, a certificate authority or a client certificate makes every connection TLS.
        let encrypted =
            authentication.trustedCertificatesFile != nil || authentication.certificateChainFile != nil
            || addresses.contains(where: \.usesTLS)
        if authentication.password != nil, !encrypted, let clear = remote.first {
            throw ValidationError(
                "--nats-password-file would send the password in clear to \(clear); use tls:// URLs or add --nats-tls-ca with the servers' certificate authority"
            )
        }
        let insecure = settings.isOn(.natsInsecureNoAuth, insecureNoAuth)
        if authentication.authenticates, insecure {
            throw ValidationError("--nats-insecure-no-auth contradicts the NATS credentials given; remove one")
        }
        if !authentication.authenticates, !insecure, let server = remote.first {
            throw ValidationError(
                "\(server) is not on loopback and no NATS credentials are given: whoever reaches that server could read the log and act as admin. Pass --nats-user with --nats-password-file, or --nats-creds (docs/scale-out.md#security); --nats-insecure-no-auth only for a throw-away test cluster"
            )
        }
        return authentication
    }

    /// The contents of the secret file at `path` without its final line break.
    ///
    /// The file is opened without following a symbolic link, then checked on the open descriptor: a
    /// regular file, owned by this user, that group and others can neither read nor write.
    private static func readSecret(_ path: String, flag: String) throws -> String {
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw ValidationError(
                errno == ELOOP
                    ? "\(flag): \(path) is a symbolic link; name the file itself"
                    : "\(flag): cannot open \(path) (errno \(errno)); check that it exists and its permissions"
            )
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            throw ValidationError("\(flag): \(path) is not a regular file")
        }
        guard status.st_uid == geteuid() else {
            throw ValidationError("\(flag): \(path) belongs to another user; the secret must be this user's own file")
        }
        let mode = status.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            throw ValidationError(
                "\(flag): \(path) has mode \(String(mode, radix: 8)): group or others may read or write this secret. Run 'chmod 600 \(path)', and if anyone else could read it, treat it as compromised"
            )
        }
        let limit = 64 * 1024
        var bytes = [UInt8](repeating: 0, count: limit + 1)
        var count = 0
        while count <= limit {
            let read = bytes[count...].withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if read > 0 {
                count += read
            } else if read == 0 {
                break
            } else if errno != EINTR {
                throw ValidationError("\(flag): cannot read \(path) (errno \(errno))")
            }
        }
        guard count <= limit, let text = String(validating: bytes[..<count], as: UTF8.self) else {
            throw ValidationError("\(flag): \(path) is not UTF-8 text of at most 64 KiB")
        }
        let secret =
            text.hasSuffix("\r\n") ? String(text.dropLast(2)) : text.hasSuffix("\n") ? String(text.dropLast()) : text
        guard !secret.isEmpty else {
            throw ValidationError("\(flag): \(path) is empty")
        }
        return secret
    }
}

#if NATS
extension NATSAuthOptions {
    /// The authentication for a client command (`audit verify`, `migrate`): flags, then `TOCSIN_NATS_*`.
    ///
    /// - Throws: `ValidationError` as ``authentication(servers:settings:)``.
    func nats(servers: [String]) throws -> NATSAuthentication {
        let settings = try ServeSettings.load(configPath: nil, environment: ProcessInfo.processInfo.environment)
        return try authentication(servers: servers, settings: settings).nats
    }
}
#endif
