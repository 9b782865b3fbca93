// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing
import TocsinResponse
import TocsinTesting

@testable import TocsinActions

/// The nftables file writer: exclusive temporary files, no symlink followed, atomic replacement.
struct NFTablesFileTests {
    private func entries(_ addresses: [String]) -> [BlocklistEntry] {
        addresses.enumerated().map { index, address in
            BlocklistEntry(
                entry: address,
                isV6: address.contains(":"),
                addedMilliseconds: 1_000,
                expiresMilliseconds: 2_000,
                rule: "ssh",
                eventSequence: Int64(index)
            )
        }
    }

    private func read(_ path: String) throws -> String {
        try String(contentsOfFile: path, encoding: .utf8)
    }

    @Test("writes the nftables sets of the entries")
    func writesEntries() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/tocsin.nft"
        let set = entries(["203.0.113.9", "2001:db8::1"])
        try await NFTablesFile(path: path).write(set)
        #expect(try read(path) == BlocklistFormat.nftables(set))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["tocsin.nft"])
    }

    @Test("a symlink planted at the target is replaced, and the file it points to is untouched")
    func symlinkAtTargetIsReplaced() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let victim = directory.path + "/victim"
        try Data("precious\n".utf8).write(to: URL(fileURLWithPath: victim))
        let path = directory.path + "/tocsin.nft"
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: victim)
        try await NFTablesFile(path: path).write(entries(["198.51.100.7"]))
        #expect(try read(victim) == "precious\n")
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect(attributes[.type] as? FileAttributeType == .typeRegular)
        #expect(try read(path).contains("198.51.100.7"))
    }

    @Test("a symlink or a file planted at the temporary name is never written through")
    func plantedTemporaryNameIsRefused() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let victim = directory.path + "/victim"
        try Data("precious\n".utf8).write(to: URL(fileURLWithPath: victim))
        let path = directory.path + "/tocsin.nft"
        let planted = directory.path + "/.tocsin.nft.tmp-guessed"
        try FileManager.default.createSymbolicLink(atPath: planted, withDestinationPath: victim)
        let writer = NFTablesFile(path: path, temporarySuffix: { "guessed" })
        let error = await #expect(throws: FileSystemCallError.self) {
            try await writer.write(entries(["198.51.100.7"]))
        }
        #expect(error?.code == .createTemporary)
        #expect(error?.message.contains("errno \(EEXIST)") == true)
        #expect(try read(victim) == "precious\n")
        #expect(!FileManager.default.fileExists(atPath: path))

        try FileManager.default.removeItem(atPath: planted)
        try Data("planted\n".utf8).write(to: URL(fileURLWithPath: planted))
        await #expect(throws: FileSystemCallError.self) { try await writer.write(entries(["198.51.100.7"])) }
        #expect(try read(planted) == "planted\n")
    }

    @Test("a missing directory is an error that names the path and errno")
    func missingDirectory() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/absent/tocsin.nft"
        let error = await #expect(throws: FileSystemCallError.self) {
            try await NFTablesFile(path: path).write(entries(["198.51.100.7"]))
        }
        #expect(error?.code == .createTemporary)
        #expect(error?.path == path)
        #expect(error?.message.contains(path) == true)
        #expect(error?.message.contains("errno \(ENOENT)") == true)
    }

    @Test("50 concurrent writes leave exactly one of the written entry sets and no temporary file")
    func concurrentWrites() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/tocsin.nft"
        let files = NFTablesFiles()
        let sets = (0..<50).map { index in entries((0...index).map { "192.0.2.\($0)" }) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for set in sets {
                group.addTask { try await files.file(at: path).write(set) }
            }
            try await group.waitForAll()
        }
        let texts = Set(sets.map(BlocklistFormat.nftables))
        #expect(texts.contains(try read(path)))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["tocsin.nft"])
    }

    @Test("writes awaited in order: the last one wins")
    func lastWriteWins() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/tocsin.nft"
        let writer = NFTablesFile(path: path)
        var last: [BlocklistEntry] = []
        for index in 0..<50 {
            last = entries(["192.0.2.\(index)"])
            try await writer.write(last)
        }
        #expect(try read(path) == BlocklistFormat.nftables(last))
    }
}
