// SPDX-License-Identifier: Apache-2.0

import Dispatch
public import TocsinResponse

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one writer of an nftables set file: every write replaces the whole file atomically.
///
/// Each write creates a temporary file in the target's directory under an unpredictable name with
/// `O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC` (so nothing planted at that name, a symlink or a file, is
/// ever opened), writes and fsyncs it, renames it over the target (a symlink planted at the
/// target is replaced, not followed) and fsyncs the directory, so after a crash the file holds
/// either the old or the new entry set, never a mix. Writes to one instance run one at a time, in
/// the order they were asked for, on the instance's serial dispatch queue (off the cooperative
/// pool: fsync can take a while); keep one instance per path (``NFTablesFiles``).
public actor NFTablesFile {
    /// The file that is replaced.
    public let path: String
    private let directory: String
    private let name: String
    private let temporarySuffix: @Sendable () -> String
    private let queue = DispatchQueue(label: "tocsin.nftables-file")

    /// Creates the writer of `path`.
    public init(path: String) {
        self.init(path: path, temporarySuffix: { NFTablesFile.randomSuffix() })
    }

    /// Creates the writer of `path` whose temporary names end in `temporarySuffix()` (tests plant
    /// files at a known name to show it is never written through).
    init(path: String, temporarySuffix: @escaping @Sendable () -> String) {
        self.path = path
        self.temporarySuffix = temporarySuffix
        if let slash = path.lastIndex(of: "/") {
            let parent = String(path[..<slash])
            self.directory = parent.isEmpty ? "/" : parent
            self.name = String(path[path.index(after: slash)...])
        } else {
            self.directory = "."
            self.name = path
        }
    }

    /// Replaces the file with the nftables sets of `entries`.
    ///
    /// - Throws: ``FileSystemCallError`` naming the path, the call that failed and `errno`.
    public func write(_ entries: [BlocklistEntry]) async throws {
        let bytes = Array(BlocklistFormat.nftables(entries).utf8)
        // Queued while on the actor, so the queue's order is the order of the calls.
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            queue.async {
                continuation.resume(with: Result { try self.replace(with: bytes) })
            }
        }
    }

    /// Replaces the file's contents with `bytes` (temporary file, fsync, rename, directory fsync).
    nonisolated func replace(with bytes: [UInt8]) throws {
        let temporary = directory + "/." + name + ".tmp-" + temporarySuffix()
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw FileSystemCallError(
                code: .createTemporary,
                path: path,
                errorNumber: errno,
                action: "could not create a temporary file in \(directory) for \(path)",
                hint: "check that the directory exists and the server may write to it"
            )
        }
        do {
            try Self.writeAll(bytes, to: descriptor, temporary: temporary, target: path)
            guard fsync(descriptor) == 0 else {
                throw FileSystemCallError(
                    code: .sync,
                    path: path,
                    errorNumber: errno,
                    action: "could not fsync \(temporary) (for \(path))"
                )
            }
            close(descriptor)
        } catch {
            close(descriptor)
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let number = errno
            unlink(temporary)
            throw FileSystemCallError(
                code: .rename,
                path: path,
                errorNumber: number,
                action: "could not rename \(temporary) over \(path)",
                hint: "a directory at that path cannot be replaced"
            )
        }
        try syncDirectory()
    }

    private nonisolated func syncDirectory() throws {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw FileSystemCallError(
                code: .syncDirectory,
                path: path,
                errorNumber: errno,
                action: "could not open the directory \(directory) of \(path) to fsync it"
            )
        }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else {
            throw FileSystemCallError(
                code: .syncDirectory,
                path: path,
                errorNumber: errno,
                action: "could not fsync the directory \(directory) of \(path)"
            )
        }
    }

    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32, temporary: String, target: String) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                systemWrite(descriptor, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
            }
            if written < 0 {
                guard errno == EINTR else {
                    throw FileSystemCallError(
                        code: .write,
                        path: target,
                        errorNumber: errno,
                        action: "could not write \(temporary) (for \(target))",
                        hint: "check the free space of the file system"
                    )
                }
                continue
            }
            offset += written
        }
    }

    /// 128 random bits in hex: a name nobody can plant something at in advance.
    private static func randomSuffix() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<2).map { _ in
            let text = String(generator.next() as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - text.count) + text
        }.joined()
    }
}

#if canImport(Glibc)
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
private let systemWrite = Darwin.write
#endif
