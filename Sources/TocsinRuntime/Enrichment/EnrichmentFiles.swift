// SPDX-License-Identifier: Apache-2.0

import Foundation
import TocsinSources

/// The threat-intelligence list files and the identity directory file as last read, with what
/// tells a change (size, modification time, inode).
struct EnrichmentFiles: Sendable {
    /// The largest file read.
    static let maxFileBytes = 64 * 1024 * 1024
    /// The most indicators over all lists (and so in one list).
    static let maxIndicators = 1_000_000
    /// The most people in the identity directory.
    static let maxPeople = 1_000_000

    /// What a change to a file changes.
    struct Signature: Sendable, Hashable {
        var size: Int64
        var modified: Double
        var inode: UInt64
    }

    /// One file and its content as last read successfully.
    struct Loaded<Content: Sendable>: Sendable {
        var path: String
        var signature: Signature?
        var content: Content
    }

    /// The lists, in the order they were given.
    var lists: [Loaded<ThreatIntelList>]
    /// The directory, when one is configured.
    var directory: Loaded<IdentityDirectory>?

    /// Reads every file; any problem stops the start.
    ///
    /// - Throws: ``EnrichmentError`` naming the file (and line) of every problem found.
    init(listPaths: [String], directoryPath: String?) throws(EnrichmentError) {
        var lists: [Loaded<ThreatIntelList>] = []
        for path in listPaths {
            let signature = Self.signature(of: path)
            let list = try Self.readList(at: path)
            if let other = lists.first(where: { $0.content.name == list.name }) {
                throw EnrichmentError(
                    code: .duplicateName,
                    file: path,
                    message: "the list name '\(list.name)' is also the name of \(other.path); rename one of the files"
                )
            }
            lists.append(Loaded(path: path, signature: signature, content: list))
        }
        self.lists = lists
        self.directory = try directoryPath.map { path throws(EnrichmentError) in
            let signature = Self.signature(of: path)
            return Loaded(path: path, signature: signature, content: try Self.readDirectory(at: path))
        }
        try checkTotal(changed: listPaths.joined(separator: ", "))
    }

    /// The enricher over the current content.
    var enricher: EventEnricher {
        EventEnricher(
            indicators: IndicatorIndex(lists: lists.map(\.content)),
            directory: directory?.content ?? .empty
        )
    }

    /// Refuses more than ``maxIndicators`` over all lists, naming `changed` (the file that tipped it).
    func checkTotal(changed: String) throws(EnrichmentError) {
        let total = lists.reduce(0) { $0 + $1.content.entries.count }
        guard total <= Self.maxIndicators else {
            throw EnrichmentError(
                code: .limitExceeded,
                file: changed,
                message:
                    "the lists hold \(total) indicators together; at most \(Self.maxIndicators) are allowed, so remove entries or lists"
            )
        }
    }

    /// Size, modification time and inode of the file at `path`, or `nil` when it cannot be read.
    static func signature(of path: String) -> Signature? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else {
            return nil
        }
        return Signature(
            size: (attributes[.size] as? NSNumber)?.int64Value ?? -1,
            modified: (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0,
            inode: (attributes[.systemFileNumber] as? NSNumber)?.uint64Value ?? 0
        )
    }

    /// Reads and parses a list file.
    static func readList(at path: String) throws(EnrichmentError) -> ThreatIntelList {
        try ThreatIntelList.parse(
            try read(path),
            name: ThreatIntelList.name(forFile: path),
            file: path,
            maxEntries: maxIndicators
        )
    }

    /// Reads and parses the identity directory file.
    static func readDirectory(at path: String) throws(EnrichmentError) -> IdentityDirectory {
        try IdentityDirectory.parse(csv: try read(path), file: path, maxPeople: maxPeople)
    }

    /// The bytes of a regular file of at most ``maxFileBytes``.
    private static func read(_ path: String) throws(EnrichmentError) -> [UInt8] {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        guard let attributes, attributes[.type] as? FileAttributeType == .typeRegular else {
            throw EnrichmentError(
                code: .unreadable,
                file: path,
                message: "cannot be read (missing, unreadable or not a regular file)"
            )
        }
        guard ((attributes[.size] as? NSNumber)?.intValue ?? 0) <= maxFileBytes else {
            throw EnrichmentError(
                code: .limitExceeded,
                file: path,
                message: "the file is larger than \(maxFileBytes / 1_048_576) MiB; split it into several lists"
            )
        }
        guard let data = FileManager.default.contents(atPath: path), data.count <= maxFileBytes else {
            throw EnrichmentError(
                code: .unreadable,
                file: path,
                message: "cannot be read, or grew past \(maxFileBytes / 1_048_576) MiB while it was read"
            )
        }
        return Array(data)
    }
}
