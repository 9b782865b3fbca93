// SPDX-License-Identifier: Apache-2.0

public import Crypto
import Foundation
import GRDB
public import Logging
import Synchronization
public import TocsinCore

/// The per-subject keys of crypto-shredding (docs/erasure.md), in their own SQLite file beside the
/// log: destroying a key makes every field sealed with it unreadable, while the log and its hash
/// chain stay as they are.
///
/// The file runs with `PRAGMA secure_delete=ON` and a rollback journal (no WAL), and is vacuumed
/// after every erasure, so a destroyed key's bytes do not stay in the database file. Keys are
/// stored wrapped (AES-GCM) with a master key kept in the data directory (``masterKeyName``), and
/// are identified by an HMAC of the subject under a key derived from it: the file never holds a
/// subject in clear.
///
/// An erased subject stays erased: fields about it that arrive later are stored as
/// ``FieldEnvelope/erasedMarker`` and no new key is made for it.
public final class SubjectKeyStore: Sendable {
    /// The key file's name in the data directory.
    public static let fileName = "subject-keys.sqlite"
    /// The master key's file name in the data directory (32 hex-encoded bytes, mode 0600).
    public static let masterKeyName = "erasure.key"
    /// The most keys kept in memory; the cache is emptied when it would grow past this.
    static let cacheLimit = 10_000

    /// What ``erase(subject:now:)`` did.
    public struct Erasure: Sendable, Hashable {
        /// The subject's key id.
        public var keyID: String
        /// Whether a key was destroyed now (`false`: there was none, or it was destroyed before).
        public var destroyedKey: Bool
        /// Whether the subject had already been erased.
        public var wasErased: Bool

        /// Creates an outcome.
        public init(keyID: String, destroyedKey: Bool, wasErased: Bool) {
            self.keyID = keyID
            self.destroyedKey = destroyedKey
            self.wasErased = wasErased
        }
    }

    private let database: DatabaseQueue
    private let identifierKey: SymmetricKey
    private let wrappingKey: SymmetricKey
    /// Key id → key (`nil`: erased), so ingest and reads rarely touch the file.
    private let cache = Mutex<[String: SymmetricKey?]>([:])

    private init(database: DatabaseQueue, masterKey: SymmetricKey) {
        self.database = database
        identifierKey = Self.derive(masterKey, purpose: "tocsin erasure key id")
        wrappingKey = Self.derive(masterKey, purpose: "tocsin erasure key wrapping")
    }

    /// Opens (creating on first use, mode 0600) the key file and the master key in `dataDirectory`.
    ///
    /// - Throws: ``StoreError`` with code ``StoreError/Code/keyFile`` when the master key is readable
    ///   by others or malformed; GRDB's errors when the file cannot be opened.
    public static func open(dataDirectory: String, logger: Logger) throws -> SubjectKeyStore {
        try KeyFiles.ensureDirectory(dataDirectory)
        let masterKey = try loadOrCreateMasterKey(in: dataDirectory)
        try DatabaseFiles.prepare(dataDirectory + "/" + fileName, logger: logger)
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        let database = try DatabaseQueue(path: dataDirectory + "/" + fileName, configuration: configuration)
        try database.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA journal_mode = DELETE")
            try db.execute(
                sql: """
                    CREATE TABLE IF NOT EXISTS subject_key (
                        key_id TEXT PRIMARY KEY NOT NULL,
                        wrapped BLOB NOT NULL,
                        created_ms INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    CREATE TABLE IF NOT EXISTS erased_subject (
                        key_id TEXT PRIMARY KEY NOT NULL,
                        erased_ms INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    """
            )
        }
        return SubjectKeyStore(database: database, masterKey: masterKey)
    }

    /// The key id of `subject`: 128 bits of an HMAC-SHA-256 of it, in hex.
    public func keyID(forSubject subject: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Array(subject.utf8), using: identifierKey)
        return Hex.encode(Array(code).prefix(FieldEnvelope.keyIDLength / 2))
    }

    /// The key of `subject`, made on first use; its ``SubjectKey/key`` is `nil` once the subject is erased.
    public func key(forSubject subject: String, now: Int64) throws -> SubjectKey {
        let keyID = keyID(forSubject: subject)
        if let cached = cache.withLock({ $0[keyID] }) {
            return SubjectKey(keyID: keyID, key: cached)
        }
        let key = try database.write { db -> SymmetricKey? in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM erased_subject WHERE key_id = ?", arguments: [keyID]) == true {
                return nil
            }
            if let wrapped = try Data.fetchOne(
                db,
                sql: "SELECT wrapped FROM subject_key WHERE key_id = ?",
                arguments: [keyID]
            ) {
                return try unwrap(Array(wrapped), keyID: keyID)
            }
            let key = SymmetricKey(size: .bits256)
            try db.execute(
                sql: "INSERT INTO subject_key (key_id, wrapped, created_ms) VALUES (?, ?, ?)",
                arguments: [keyID, Data(try wrap(key, keyID: keyID)), now]
            )
            return key
        }
        remember(keyID, key)
        return SubjectKey(keyID: keyID, key: key)
    }

    /// The key with id `keyID`, or `nil` when there is none (erased, or never made).
    public func key(forKeyID keyID: String) throws -> SymmetricKey? {
        if let cached = cache.withLock({ $0[keyID] }) {
            return cached
        }
        let wrapped = try database.read { db in
            try Data.fetchOne(db, sql: "SELECT wrapped FROM subject_key WHERE key_id = ?", arguments: [keyID])
        }
        guard let wrapped else {
            return nil
        }
        let key = try unwrap(Array(wrapped), keyID: keyID)
        remember(keyID, key)
        return key
    }

    /// Destroys `subject`'s key and remembers the subject as erased; doing it again changes nothing.
    ///
    /// After the delete the file is vacuumed, so the key's bytes are gone from it, not just unlinked.
    public func erase(subject: String, now: Int64) throws -> Erasure {
        let keyID = keyID(forSubject: subject)
        let (destroyed, wasErased) = try database.write { db -> (Bool, Bool) in
            let wasErased =
                try Bool.fetchOne(db, sql: "SELECT 1 FROM erased_subject WHERE key_id = ?", arguments: [keyID]) == true
            try db.execute(sql: "DELETE FROM subject_key WHERE key_id = ?", arguments: [keyID])
            let destroyed = db.changesCount > 0
            try db.execute(
                sql: "INSERT INTO erased_subject (key_id, erased_ms) VALUES (?, ?) ON CONFLICT (key_id) DO NOTHING",
                arguments: [keyID, now]
            )
            return (destroyed, wasErased)
        }
        cache.withLock { $0[keyID] = .some(nil) }
        if destroyed {
            try database.vacuum()
        }
        return Erasure(keyID: keyID, destroyedKey: destroyed, wasErased: wasErased)
    }

    private func remember(_ keyID: String, _ key: SymmetricKey?) {
        cache.withLock { cache in
            if cache.count >= Self.cacheLimit {
                cache.removeAll(keepingCapacity: true)
            }
            cache[keyID] = .some(key)
        }
    }

    private func wrap(_ key: SymmetricKey, keyID: String) throws -> [UInt8] {
        let plain = key.withUnsafeBytes { Array($0) }
        let box = try AES.GCM.seal(plain, using: wrappingKey, authenticating: Array(keyID.utf8))
        return Array(box.nonce) + Array(box.ciphertext) + Array(box.tag)
    }

    private func unwrap(_ wrapped: [UInt8], keyID: String) throws -> SymmetricKey {
        guard let box = try? AES.GCM.SealedBox(combined: wrapped),
            let plain = try? AES.GCM.open(box, using: wrappingKey, authenticating: Array(keyID.utf8))
        else {
            throw StoreError(
                code: .keyFile,
                message: "a subject key in \(Self.fileName) does not open with \(Self.masterKeyName); "
                    + "restore both files from the same backup"
            )
        }
        return SymmetricKey(data: plain)
    }

    private static func derive(_ master: SymmetricKey, purpose: String) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: master, info: Array(purpose.utf8), outputByteCount: 32)
    }

    private static func loadOrCreateMasterKey(in directory: String) throws -> SymmetricKey {
        let path = directory + "/" + masterKeyName
        if let text = try KeyFiles.readIfExists(path) {
            try KeyFiles.requireOwnerOnly(path)
            guard let bytes = Hex.decode(text.trimmingCharacters(in: .whitespacesAndNewlines)), bytes.count == 32 else {
                throw StoreError(
                    code: .keyFile,
                    message: "\(path) is not 32 hex-encoded bytes; restore it from backup (without it no "
                        + "personal field can be read)"
                )
            }
            return SymmetricKey(data: bytes)
        }
        let key = SymmetricKey(size: .bits256)
        try KeyFiles.writeSecret(key.withUnsafeBytes { Hex.encode(Array($0)) } + "\n", to: path)
        return key
    }
}
