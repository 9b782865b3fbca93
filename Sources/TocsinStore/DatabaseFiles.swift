// SPDX-License-Identifier: Apache-2.0

import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Keeps the database and the files SQLite creates beside it (`-wal`, `-shm`, `-journal`) at
/// mode 0600, whatever the directory's mode or the process umask.
///
/// SQLite creates its main file 0644 and gives the journal, WAL and shared-memory files the main
/// file's mode (it `fchmod`s them to it, past the umask). So the main file is created here first,
/// 0600, before SQLite opens it; files left wider by an older version are narrowed at each start.
///
/// Only ever before the first connection opens: closing any descriptor of a database file (or its
/// `-shm`) drops every POSIX lock the process holds on it, SQLite's included, and the next process to
/// open the database would then take it for unused, reset the shared memory and crash this one.
enum DatabaseFiles {
    /// The suffixes of the files SQLite keeps beside the database.
    static let companions = ["-wal", "-shm", "-journal"]

    /// Creates the database file 0600 if it does not exist and narrows it and its companions to
    /// 0600 if they are wider.
    ///
    /// - Throws: ``StoreError`` when a file cannot be created or its mode cannot be changed.
    static func prepare(_ path: String, logger: Logger) throws {
        let descriptor = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw StoreError(
                code: .keyFile,
                message:
                    "cannot open \(path) (errno \(errno)); check the data directory's permissions (it must not be a symbolic link)"
            )
        }
        defer { close(descriptor) }
        try narrow(descriptor, path: path, logger: logger)
        try narrowCompanions(of: path, logger: logger)
    }

    /// Narrows the companions of `path` that exist to 0600.
    private static func narrowCompanions(of path: String, logger: Logger) throws {
        for suffix in companions {
            let descriptor = open(path + suffix, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
            guard descriptor >= 0 else {
                continue
            }
            defer { close(descriptor) }
            try narrow(descriptor, path: path + suffix, logger: logger)
        }
    }

    private static func narrow(_ descriptor: Int32, path: String, logger: Logger) throws {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw StoreError(code: .keyFile, message: "cannot read the mode of \(path) (errno \(errno))")
        }
        let mode = status.st_mode & 0o777
        guard mode != 0o600 else {
            return
        }
        guard fchmod(descriptor, 0o600) == 0 else {
            throw StoreError(
                code: .keyFile,
                message: "cannot set \(path) to mode 0600 (errno \(errno)); run 'chmod 600 \(path)' as its owner"
            )
        }
        logger.notice(
            "Narrowed a database file to mode 0600.",
            metadata: ["file.path": "\(path)", "file.mode": "\(String(mode, radix: 8))"]
        )
    }
}
