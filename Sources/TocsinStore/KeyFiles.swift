// SPDX-License-Identifier: Apache-2.0

public import Crypto
import Foundation
import TocsinCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The secret files of a data directory: the node's Ed25519 signing key and the admin API key.
///
/// Secrets are written once, with mode 0600, through `O_EXCL` so an existing file is never
/// overwritten, and fsynced before they are used.
public enum KeyFiles: Sendable {
    /// File name of the node's private signing key (hex, mode 0600).
    public static let nodeKeyName = "node.key"
    /// File name of the node's public key (hex), for offline verification.
    public static let nodePublicKeyName = "node.pub"
    /// File name of the admin API key (mode 0600).
    public static let adminKeyName = "admin.key"

    /// Creates `directory` with mode 0700 if it does not exist.
    public static func ensureDirectory(_ directory: String) throws {
        try FileManager.default.createDirectory(
            atPath: directory,
            withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700]
        )
    }

    /// Loads the node signing key, creating it (and `node.pub`) on first start.
    public static func loadOrCreateNodeKey(in directory: String) throws -> Curve25519.Signing.PrivateKey {
        let path = directory + "/" + nodeKeyName
        if FileManager.default.fileExists(atPath: path) {
            try requireOwnerOnly(path)
        }
        if let text = try readIfExists(path) {
            guard let bytes = Hex.decode(text.trimmingCharacters(in: .whitespacesAndNewlines)),
                let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: bytes)
            else {
                throw StoreError(
                    code: .keyFile,
                    message: "\(path) is not a hex Ed25519 private key; restore it from backup"
                )
            }
            return key
        }
        let key = Curve25519.Signing.PrivateKey()
        try writeSecret(Hex.encode(key.rawRepresentation) + "\n", to: path)
        try writePublic(Hex.encode(key.publicKey.rawRepresentation) + "\n", to: directory + "/" + nodePublicKeyName)
        return key
    }

    /// Refuses a secret file that group or others may read or write.
    ///
    /// - Throws: ``StoreError`` with code ``StoreError/Code/keyFile`` saying to `chmod 600` it.
    public static func requireOwnerOnly(_ path: String) throws {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw StoreError(code: .keyFile, message: "cannot read \(path) (errno \(errno)); check its permissions")
        }
        let mode = status.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            throw StoreError(
                code: .keyFile,
                message: """
                    \(path) has mode \(String(mode, radix: 8)): group or others may read or write this secret. \
                    Run 'chmod 600 \(path)', and if anyone else could read it, treat it as compromised
                    """
            )
        }
    }

    /// Loads the node's public key from `node.pub`.
    public static func loadPublicKey(from path: String) throws -> Curve25519.Signing.PublicKey {
        guard let text = try readIfExists(path) else {
            throw StoreError(code: .keyFile, message: "\(path) does not exist; pass the node's public key file")
        }
        guard let bytes = Hex.decode(text.trimmingCharacters(in: .whitespacesAndNewlines)),
            let key = try? Curve25519.Signing.PublicKey(rawRepresentation: bytes)
        else {
            throw StoreError(code: .keyFile, message: "\(path) is not a hex Ed25519 public key")
        }
        return key
    }

    /// Generates a new random API key: `tsk_` followed by 64 hex digits (256 bits).
    public static func generateAPIKey() -> String {
        let key = SymmetricKey(size: .bits256)
        return "tsk_" + key.withUnsafeBytes { Hex.encode($0) }
    }

    /// The SHA-256 of an API key, which is all the store keeps.
    public static func hashAPIKey(_ key: String) -> [UInt8] {
        Array(SHA256.hash(data: Array(key.utf8)))
    }

    /// Writes `contents` to a new file with mode 0600; fails if the file exists.
    public static func writeSecret(_ contents: String, to path: String) throws {
        try write(contents, to: path, mode: 0o600)
    }

    /// Replaces `path` with `contents` (mode 0600) atomically: a new file under an unpredictable
    /// name, created with `O_EXCL`, fsynced, then renamed over the old one.
    public static func replaceSecret(_ contents: String, at path: String) throws {
        let temporary = path + ".tmp-" + SymmetricKey(size: .bits128).withUnsafeBytes { Hex.encode($0) }
        try write(contents, to: temporary, mode: 0o600)
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw StoreError(code: .keyFile, message: "cannot replace \(path) (errno \(code)); check the directory")
        }
    }

    /// Reads the trimmed contents of `path`, or `nil` when it does not exist.
    public static func readIfExists(_ path: String) throws -> String? {
        guard FileManager.default.fileExists(atPath: path) else {
            return nil
        }
        return try String(contentsOfFile: path, encoding: .utf8)
    }

    private static func writePublic(_ contents: String, to path: String) throws {
        try? FileManager.default.removeItem(atPath: path)
        try write(contents, to: path, mode: 0o644)
    }

    private static func write(_ contents: String, to path: String, mode: mode_t) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, mode)
        guard descriptor >= 0 else {
            throw StoreError(
                code: .keyFile,
                message: "cannot create \(path) (errno \(errno)); check the directory's permissions"
            )
        }
        defer { close(descriptor) }
        let bytes = Array(contents.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(descriptor) == 0 else {
            throw StoreError(code: .keyFile, message: "cannot write \(path) (errno \(errno)); is the disk full?")
        }
    }
}
