// SPDX-License-Identifier: Apache-2.0

import Foundation
public import Logging
import Synchronization
import TocsinCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An append-only file outside the data directory that receives every signed checkpoint as one
/// JSON line, so that deleting records together with their checkpoints, or only checkpoint rows,
/// no longer goes unseen: `tocsin audit verify --witness` compares the log with it.
///
/// The file is opened `O_APPEND | O_CREAT | O_NOFOLLOW` with mode 0600 and every line is fsynced.
/// A failed write never blocks the log: the writer logs it, counts it in ``failureCount`` and keeps
/// the lines it could not write (up to ``maxPendingLines``) to write first at the next checkpoint.
/// Blocking instead would let anyone who can fill or unmount the witness's disk stop Tocsin from
/// recording the attack it is meant to see.
public final class CheckpointWitness: Sendable {
    /// One signed checkpoint as the witness holds it.
    public struct Entry: Sendable, Hashable {
        /// The sequence number the checkpoint covers.
        public var sequence: Int64
        /// The chain hash at ``sequence``.
        public var hash: [UInt8]
        /// The node's Ed25519 signature of `"tocsin.checkpoint.v1" ‖ u64 seq ‖ hash`.
        public var signature: [UInt8]
        /// When it was signed (milliseconds since the epoch).
        public var signedMilliseconds: Int64

        /// Creates an entry.
        public init(sequence: Int64, hash: [UInt8], signature: [UInt8], signedMilliseconds: Int64) {
            self.sequence = sequence
            self.hash = hash
            self.signature = signature
            self.signedMilliseconds = signedMilliseconds
        }
    }

    /// Lines kept for a later attempt while the witness cannot be written; older ones are dropped.
    public static let maxPendingLines = 10_000

    /// The witness file's path as configured.
    public let path: String
    let descriptor: Int32
    // Only the single log writer appends, so this lock is never contended; it makes the class
    // Sendable without a separate owner for the pending lines.
    private let pending = Mutex<[String]>([])
    private let failures = Atomic<Int>(0)

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }

    /// How many appends have failed since the start.
    public var failureCount: Int {
        failures.load(ordering: .relaxed)
    }

    /// Opens (creating with mode 0600) the witness file at `path`.
    ///
    /// - Throws: ``StoreError`` with code ``StoreError/Code/witness`` when `path` lies inside
    ///   `dataDirectory`, its directory does not exist, it is a symbolic link or not a regular
    ///   file, or it cannot be opened for appending.
    public static func open(path: String, dataDirectory: String, logger: Logger) throws -> CheckpointWitness {
        let location = try resolvedLocation(of: path)
        let data = try resolvedDirectory(dataDirectory)
        guard location != data, !location.hasPrefix(data + "/") else {
            throw StoreError(
                code: .witness,
                message:
                    "the checkpoint witness \(path) lies inside the data directory \(dataDirectory), where anyone who can rewrite the log can rewrite it too; put it on another file system, ideally shipped off this host"
            )
        }
        let descriptor = Glibc.open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            let code = errno
            throw StoreError(
                code: .witness,
                message: code == ELOOP
                    ? "the checkpoint witness \(path) is a symbolic link; name the real file"
                    : "cannot open the checkpoint witness \(path) for appending (\(describe(code))); check its permissions"
            )
        }
        let witness = CheckpointWitness(path: path, descriptor: descriptor)
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            throw StoreError(code: .witness, message: "the checkpoint witness \(path) is not a regular file")
        }
        try witness.removeIncompleteLastLine(size: Int64(status.st_size), logger: logger)
        syncDirectory(URL(fileURLWithPath: location).deletingLastPathComponent().path)
        var dataStatus = stat()
        if stat(data, &dataStatus) == 0, dataStatus.st_dev == status.st_dev {
            logger.warning(
                "The checkpoint witness is on the data directory's file system; ship it off this host, or it protects only against mistakes.",
                metadata: ["witness.path": "\(path)"]
            )
        }
        return witness
    }

    /// Appends `entry` (after any lines that failed before) and fsyncs; logs and counts a failure.
    ///
    /// Called by the log writer after the checkpoint's transaction committed, and with `nil` on
    /// each checkpoint tick and at shutdown, to retry lines that failed even when no new
    /// checkpoint comes.
    public func append(_ entry: Entry?, logger: Logger) {
        let outcome: (error: Int32?, lines: Int, dropped: Int)? = pending.withLock { lines in
            if let entry {
                lines.append(entry.line)
            }
            guard !lines.isEmpty else {
                return nil
            }
            let dropped = max(0, lines.count - Self.maxPendingLines)
            lines.removeFirst(dropped)
            if let error = Self.appendDurably(Array(lines.joined().utf8), to: descriptor) {
                return (error, lines.count, dropped)
            }
            defer { lines.removeAll() }
            return (nil, lines.count, dropped)
        }
        guard let outcome else {
            return
        }
        if let error = outcome.error {
            let total = failures.wrappingAdd(1, ordering: .relaxed).newValue
            logger.error(
                "CHECKPOINT WITNESS WRITE FAILED: the checkpoint is in the log but not witnessed; events are still accepted and the line is retried at the next checkpoint. Fix the witness file or its disk.",
                metadata: [
                    "witness.path": "\(path)", "checkpoint.sequence": "\(entry.map { "\($0.sequence)" } ?? "retry")",
                    "error": "\(Self.describe(error))", "witness.failures": "\(total)",
                    "witness.pending": "\(outcome.lines)",
                ]
            )
        } else if outcome.lines > 1 {
            logger.notice(
                "The checkpoint witness caught up.",
                metadata: ["witness.path": "\(path)", "witness.lines": "\(outcome.lines)"]
            )
        }
        if outcome.dropped > 0 {
            logger.error(
                "Checkpoint witness lines were dropped after too many failures; those checkpoints stay unwitnessed.",
                metadata: ["witness.path": "\(path)", "witness.dropped": "\(outcome.dropped)"]
            )
        }
    }

    /// Writes all of `bytes` at the end of the file and fsyncs them; on failure cuts the file back
    /// to its size before, so no partial line is left for the next attempt to follow.
    ///
    /// - Returns: the `errno` of the failure, or `nil`.
    private static func appendDurably(_ bytes: [UInt8], to descriptor: Int32) -> Int32? {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            return errno
        }
        let failure: Int32? = bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else {
                return nil
            }
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, base + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR {
                        continue
                    }
                    return errno
                }
                offset += written
            }
            return fsync(descriptor) == 0 ? nil : errno
        }
        if failure != nil {
            _ = ftruncate(descriptor, status.st_size)
        }
        return failure
    }

    /// Cuts off a last line that a crash left without its newline, so the next line starts clean.
    private func removeIncompleteLastLine(size: Int64, logger: Logger) throws {
        guard size > 0 else {
            return
        }
        let tail = try Self.readTail(of: path, size: size)
        guard tail.last != UInt8(ascii: "\n") else {
            return
        }
        let keep: Int64
        if let newline = tail.lastIndex(of: UInt8(ascii: "\n")) {
            keep = size - Int64(tail.count) + Int64(newline) + 1
        } else if Int64(tail.count) == size {
            keep = 0
        } else {
            throw StoreError(
                code: .witness,
                message:
                    "the last line of the checkpoint witness \(path) is not a checkpoint record; move the file aside"
            )
        }
        guard ftruncate(descriptor, off_t(keep)) == 0 else {
            throw StoreError(
                code: .witness,
                message:
                    "the checkpoint witness \(path) ends in an incomplete line that cannot be removed (\(Self.describe(errno))); remove it by hand"
            )
        }
        logger.warning(
            "Removed an incomplete last line from the checkpoint witness (a write cut off by a crash).",
            metadata: ["witness.path": "\(path)", "witness.bytes": "\(size - keep)"]
        )
    }

    /// The absolute, symlink-free path `path` names (its directory must exist; the file need not).
    private static func resolvedLocation(of path: String) throws -> String {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        guard let real = try? resolvedDirectory(directory) else {
            throw StoreError(
                code: .witness,
                message:
                    "the directory \(directory) of the checkpoint witness does not exist; create it, outside the data directory"
            )
        }
        return (real == "/" ? "" : real) + "/" + url.lastPathComponent
    }

    private static func resolvedDirectory(_ path: String) throws -> String {
        guard let real = realpath(path, nil) else {
            throw StoreError(code: .witness, message: "cannot resolve \(path) (\(describe(errno)))")
        }
        defer { free(real) }
        return String(cString: real)
    }

    private static func syncDirectory(_ path: String) {
        let descriptor = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if descriptor >= 0 {
            _ = fsync(descriptor)
            close(descriptor)
        }
    }

    static func describe(_ code: Int32) -> String {
        "errno \(code): \(String(cString: strerror(code)))"
    }
}
