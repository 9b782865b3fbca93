// SPDX-License-Identifier: Apache-2.0

import Foundation
import TocsinCore

/// Writes an archive file so that it either exists whole and durable or not at all.
///
/// Records are compressed in blocks as they come; the bytes go to a new temporary file in the
/// archive directory (created with `O_EXCL`, mode 0600), which is fsynced, renamed to its final
/// name and followed by an fsync of the directory.
struct ArchiveFileWriter {
    /// Records per compressed block: small enough that a query reads little, large enough that
    /// zlib finds the repetition between records.
    static let recordsPerBlock = 1024

    private let directory: String
    private let temporaryPath: String
    private let descriptor: Int32
    private var offset: Int64
    private var pending: [UInt8] = []
    private var pendingFirst: Int64?
    private var pendingLast: Int64 = 0
    private var pendingCount = 0
    private(set) var blocks: [ArchiveManifest.Block] = []

    /// Creates the temporary file in `directory`.
    ///
    /// - Throws: ``StoreError`` when the file cannot be created.
    init(directory: String) throws {
        self.directory = directory
        temporaryPath = directory + "/.archive-\(UUID().uuidString).tmp"
        descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw StoreError(
                code: .archive,
                message:
                    "cannot create a file in the archive directory \(directory) (errno \(errno)); check it exists and is writable"
            )
        }
        offset = 0
        try write(ArchiveFile.startMagic)
    }

    /// Adds the next record of the range.
    mutating func append(_ record: LogRecord) throws {
        if pendingFirst == nil {
            pendingFirst = record.sequence
        }
        pendingLast = record.sequence
        ArchiveRecordCoding.append(record, to: &pending)
        pendingCount += 1
        if pendingCount >= Self.recordsPerBlock {
            try flush()
        }
    }

    /// Writes the last block and `manifest` (its blocks filled in), makes the file durable and
    /// gives it its final name; returns the path.
    mutating func finish(_ manifest: ArchiveManifest) throws -> String {
        try flush()
        var manifest = manifest
        manifest.blocks = blocks
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = Array(try encoder.encode(manifest))
        try write(json)
        var length: [UInt8] = []
        withUnsafeBytes(of: UInt64(json.count).bigEndian) { length.append(contentsOf: $0) }
        try write(length + ArchiveFile.endMagic)
        guard fsync(descriptor) == 0 else {
            throw failure("cannot fsync the new archive (errno \(errno)); is the disk full?")
        }
        close(descriptor)
        let path = directory + "/" + manifest.fileName
        // link() fails rather than replace an archive that already has this name.
        guard link(temporaryPath, path) == 0 else {
            let code = errno
            unlink(temporaryPath)
            throw StoreError(
                code: .archive,
                message: "cannot name the archive \(path) (errno \(code)); an archive of this range may already exist"
            )
        }
        unlink(temporaryPath)
        let directoryDescriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directoryDescriptor >= 0, fsync(directoryDescriptor) == 0 else {
            throw StoreError(
                code: .archive,
                message: "cannot fsync the archive directory \(directory) (errno \(errno))"
            )
        }
        close(directoryDescriptor)
        return path
    }

    /// Removes the temporary file after a failure.
    func abandon() {
        close(descriptor)
        unlink(temporaryPath)
    }

    private mutating func flush() throws {
        guard let first = pendingFirst else {
            return
        }
        let compressed = try ArchiveCompression.compress(pending)
        blocks.append(
            ArchiveManifest.Block(
                firstSequence: first,
                lastSequence: pendingLast,
                offset: offset,
                length: compressed.count,
                rawLength: pending.count
            )
        )
        try write(compressed)
        pending.removeAll(keepingCapacity: true)
        pendingFirst = nil
        pendingCount = 0
    }

    private mutating func write(_ bytes: [UInt8]) throws {
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { buffer in
                Foundation.write(descriptor, buffer.baseAddress.map { $0 + written }, buffer.count - written)
            }
            guard count > 0 else {
                throw failure("cannot write the new archive (errno \(errno)); is the disk full?")
            }
            written += count
        }
        offset += Int64(bytes.count)
    }

    private func failure(_ message: String) -> StoreError {
        StoreError(code: .archive, message: message)
    }
}
