// SPDX-License-Identifier: Apache-2.0

import Foundation
public import TocsinCore

/// An archive file opened read-only: its manifest, and its records block by block.
///
/// Layout: the 16-byte ``startMagic``, the zlib-compressed blocks back to back, the manifest as
/// JSON, the manifest's length as a big-endian 64-bit integer, and the 16-byte ``endMagic``.
/// Opening reads only the manifest; records are read one block at a time, so a large archive is
/// never held in memory whole.
public struct ArchiveFile: Sendable {
    /// The file's path.
    public let path: String
    /// Its index and chain facts.
    public let manifest: ArchiveManifest

    static let startMagic = Array("TOCSIN-ARCHIVE1\n".utf8)
    static let endMagic = Array("\nTOCSIN-ARCHEND\n".utf8)

    /// The file's name without its directory.
    public var name: String {
        (path as NSString).lastPathComponent
    }

    /// Opens `path` and reads its manifest.
    ///
    /// - Throws: ``StoreError`` (code ``StoreError/Code/archive``) when the file cannot be read
    ///   or is not an archive this version understands.
    public init(path: String) throws {
        self.path = path
        let name = (path as NSString).lastPathComponent
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw StoreError(code: .archive, message: "cannot open the archive \(path); check the path and permissions")
        }
        defer { try? handle.close() }
        let size = try handle.seekToEnd()
        let trailer = UInt64(Self.endMagic.count + 8)
        guard size >= UInt64(Self.startMagic.count) + trailer else {
            throw Self.unreadable(name, "it is too short to be an archive")
        }
        try handle.seek(toOffset: size - trailer)
        let tail = Array(try handle.read(upToCount: Int(trailer)) ?? Data())
        guard tail.count == Int(trailer), Array(tail[8...]) == Self.endMagic else {
            throw Self.unreadable(name, "it does not end like an archive (truncated or not an archive)")
        }
        let length = tail[..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard length < size - trailer - UInt64(Self.startMagic.count) else {
            throw Self.unreadable(name, "its manifest length is out of bounds")
        }
        try handle.seek(toOffset: size - trailer - length)
        let json = try handle.read(upToCount: Int(length)) ?? Data()
        do {
            manifest = try JSONDecoder().decode(ArchiveManifest.self, from: json)
        } catch {
            throw Self.unreadable(name, "its manifest is not valid JSON")
        }
        guard manifest.format == ArchiveManifest.currentFormat else {
            throw Self.unreadable(name, "its format is not \(ArchiveManifest.currentFormat); use a newer tocsin")
        }
        try handle.seek(toOffset: 0)
        guard Array(try handle.read(upToCount: Self.startMagic.count) ?? Data()) == Self.startMagic else {
            throw Self.unreadable(name, "it does not start like an archive")
        }
        let blocksEnd = manifest.blocks.last.map { UInt64($0.offset) + UInt64($0.length) }
        guard blocksEnd ?? UInt64(Self.startMagic.count) == size - trailer - length else {
            throw Self.unreadable(name, "its blocks do not end where its manifest starts")
        }
    }

    /// The records of the block at `index` in the manifest, or `nil` when the block is unreadable
    /// (it does not decompress, fails its checksum, or does not hold whole records).
    ///
    /// - Throws: ``StoreError`` when the file cannot be read.
    func records(inBlock index: Int) throws -> [LogRecord]? {
        let block = manifest.blocks[index]
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw StoreError(code: .archive, message: "cannot open the archive \(path); check the path and permissions")
        }
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(block.offset))
        let compressed = Array(try handle.read(upToCount: block.length) ?? Data())
        guard compressed.count == block.length,
            let raw = ArchiveCompression.decompress(compressed, rawLength: block.rawLength)
        else {
            return nil
        }
        return ArchiveRecordCoding.records(in: raw)
    }

    /// Up to `limit` events with sequence numbers greater than `after`, in order: the read-only
    /// path for queries and replay over archived history.
    ///
    /// Reading does not verify the chain (``ArchiveChainVerifier`` does); it only refuses blocks
    /// that do not decompress.
    ///
    /// - Throws: ``StoreError`` when a block is unreadable or a record does not decode.
    public func events(after: Int64, limit: Int) throws -> [LoggedEvent] {
        var events: [LoggedEvent] = []
        for (index, block) in manifest.blocks.enumerated() where block.lastSequence > after {
            guard let records = try records(inBlock: index) else {
                throw Self.unreadable(
                    name,
                    "block \(index) (records \(block.firstSequence)-\(block.lastSequence)) does not decompress"
                )
            }
            for record in records where record.sequence > after {
                events.append(try record.loggedEvent())
                if events.count >= limit {
                    return events
                }
            }
        }
        return events
    }

    private static func unreadable(_ name: String, _ reason: String) -> StoreError {
        StoreError(
            code: .archive,
            message: "the archive file \(name) is unreadable: \(reason); restore it from a copy"
        )
    }
}

extension ArchiveFile {
    /// Every archive file in `directory`, in chain order.
    ///
    /// - Throws: ``StoreError`` when the directory cannot be listed or a file is unreadable.
    public static func all(in directory: String) throws -> [ArchiveFile] {
        try ArchiveChainVerifier.paths(in: directory).map(ArchiveFile.init(path:))
    }
}
