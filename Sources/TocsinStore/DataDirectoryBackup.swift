// SPDX-License-Identifier: Apache-2.0

import Foundation
import GRDB
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An online backup of a data directory: a consistent copy of the database taken with SQLite's
/// backup API while the server keeps writing, and the key files needed to verify and restore it.
///
/// The copy holds every record committed when the backup's read transaction began, so every event
/// acknowledged before `tocsin backup` started is in it. `node.pub` is always copied (it verifies
/// the chain); the secret keys are copied (mode 0600) unless the caller leaves them out to keep
/// them elsewhere: `node.key` signs checkpoints, `definitions.key` opens the stored target
/// definitions, `fingerprint.key` keeps secret fingerprints stable, `admin.key` is the admin API key.
public enum DataDirectoryBackup: Sendable {
    /// The database file's name in a data directory.
    public static let databaseName = "tocsin.db"
    /// Key files a backup always holds: they are public.
    public static let publicFiles = [KeyFiles.nodePublicKeyName]
    /// Key files a backup holds unless the caller keeps secrets out.
    public static let secretFiles = [
        KeyFiles.nodeKeyName, DefinitionSealer.keyFileName, KeyFiles.fingerprintKeyName, KeyFiles.adminKeyName,
        SubjectKeyStore.masterKeyName, KeyFiles.complianceKeyName,
    ]

    /// What a backup copied.
    public struct Report: Sendable, Hashable {
        /// The number of log records in the copy.
        public var records: Int64
        /// The highest log sequence number in the copy (0 for an empty log).
        public var lastSequence: Int64
        /// The key files copied beside the database, by name.
        public var keyFiles: [String]
    }

    /// Copies the database of `dataDirectory` and its key files into `destination`, a new or empty
    /// directory created with mode 0700.
    ///
    /// - Throws: ``StoreError`` when the source has no database or no `node.pub`, the destination
    ///   is not empty, or a copy fails.
    public static func run(from dataDirectory: String, to destination: String, includesSecrets: Bool) throws -> Report {
        let source = dataDirectory + "/" + databaseName
        guard FileManager.default.fileExists(atPath: source) else {
            throw StoreError(code: .keyFile, message: "\(source) does not exist; is --data-dir right?")
        }
        try prepareDestination(destination)
        var keyFiles: [String] = []
        for name in publicFiles + (includesSecrets ? secretFiles : []) {
            guard let contents = try KeyFiles.readIfExists(dataDirectory + "/" + name) else {
                if publicFiles.contains(name) {
                    throw StoreError(
                        code: .keyFile,
                        message: "\(dataDirectory)/\(name) does not exist; without it the backup cannot be verified"
                    )
                }
                continue
            }
            let path = destination + "/" + name
            try KeyFiles.writeSecret(contents, to: path)
            if publicFiles.contains(name) {
                chmod(path, 0o644)
            }
            keyFiles.append(name)
        }
        var sourceConfiguration = Configuration()
        sourceConfiguration.busyMode = .timeout(30)
        // Read-write but refusing writes, as AuditVerifier does: a read-only connection cannot
        // always attach to a WAL database whose -shm file is gone.
        sourceConfiguration.prepareDatabase { db in try db.execute(sql: "PRAGMA query_only = 1") }
        let target = destination + "/" + databaseName
        try DatabaseFiles.prepare(
            target,
            logger: Logger(label: "tocsin.backup", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        let reader = try DatabaseQueue(path: source, configuration: sourceConfiguration)
        let writer = try DatabaseQueue(path: target)
        try reader.backup(to: writer)
        let (records, last) = try writer.read { db -> (Int64, Int64) in
            let row = try Row.fetchOne(db, sql: "SELECT count(*), coalesce(max(seq), 0) FROM events")
            let count: Int64 = row?[0] ?? 0
            let maximum: Int64 = row?[1] ?? 0
            return (count, maximum)
        }
        try writer.close()
        try reader.close()
        if includesSecrets, try copySubjectKeys(from: dataDirectory, to: destination) {
            keyFiles.append(SubjectKeyStore.fileName)
        }
        return Report(records: records, lastSequence: last, keyFiles: keyFiles)
    }

    /// Copies the erasure key store (per-subject keys, wrapped), when there is one, with the backup API; returns
    /// whether it existed.
    private static func copySubjectKeys(from dataDirectory: String, to destination: String) throws -> Bool {
        let source = dataDirectory + "/" + SubjectKeyStore.fileName
        guard FileManager.default.fileExists(atPath: source) else {
            return false
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        configuration.readonly = true
        let target = destination + "/" + SubjectKeyStore.fileName
        guard FileManager.default.createFile(atPath: target, contents: nil, attributes: [.posixPermissions: 0o600])
        else {
            throw StoreError(code: .keyFile, message: "\(target) could not be created; check the destination")
        }
        let reader = try DatabaseQueue(path: source, configuration: configuration)
        let writer = try DatabaseQueue(path: target)
        try reader.backup(to: writer)
        try writer.close()
        try reader.close()
        return true
    }

    private static func prepareDestination(_ destination: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: destination, isDirectory: &isDirectory) {
            let contents = (try? FileManager.default.contentsOfDirectory(atPath: destination)) ?? []
            guard isDirectory.boolValue, contents.isEmpty else {
                throw StoreError(
                    code: .conflict,
                    message: "\(destination) exists and is not an empty directory; back up into a new directory"
                )
            }
            chmod(destination, 0o700)
            return
        }
        guard mkdir(destination, 0o700) == 0 else {
            throw StoreError(
                code: .keyFile,
                message: "cannot create \(destination) (errno \(errno)); does its parent directory exist?"
            )
        }
    }
}
