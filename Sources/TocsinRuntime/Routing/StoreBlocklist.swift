// SPDX-License-Identifier: Apache-2.0

import Foundation
import TocsinActions
import TocsinConfig
import TocsinCore
import TocsinResponse
import TocsinStore

/// The blocklist kept in the store, and its nftables files.
struct StoreBlocklist: BlocklistService {
    let store: EventStore
    let clock: any WallClock
    let serverAddresses: [IPRange]

    func activeEntries(nowMilliseconds: Int64) async throws -> [BlocklistEntry] {
        try await store.routing.activeBlocks(now: nowMilliseconds)
    }

    func add(_ entry: BlocklistEntry) async throws {
        try await store.routing.block(entry)
    }

    /// Writes the entries read back from the store that `policy` still accepts.
    func writeFile(_ path: String, policy: BlocklistPolicy) async throws {
        let active = try await store.routing.activeBlocks(now: clock.now.millisecondsSinceEpoch)
        try Self.writeNFTables(policy.validated(active).valid, to: path)
    }

    /// The one place the nftables file is written: a temporary file in the same directory, fsync,
    /// rename.
    ///
    /// - Throws: ``ActionError`` naming the path, the step and the errno.
    static func writeNFTables(_ entries: [BlocklistEntry], to path: String) throws {
        let text = BlocklistFormat.nftables(entries)
        let temporary = path + ".tmp-\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0o644)
        guard descriptor >= 0 else {
            throw failure("create \(temporary)", path: path, errno: errno)
        }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
        let writeErrno = errno
        let synced = fsync(descriptor)
        let syncErrno = errno
        close(descriptor)
        guard written == bytes.count else {
            unlink(temporary)
            throw failure("write \(temporary)", path: path, errno: writeErrno)
        }
        guard synced == 0 else {
            unlink(temporary)
            throw failure("fsync \(temporary)", path: path, errno: syncErrno)
        }
        guard rename(temporary, path) == 0 else {
            let renameErrno = errno
            unlink(temporary)
            throw failure("rename over \(path)", path: path, errno: renameErrno)
        }
    }

    /// Every blocklist file of `table`'s targets, with the policy and TTL of its target.
    func files(of table: RoutingTable) -> [BlocklistFileSettings] {
        table.targets.values.sorted { $0.name < $1.name }.compactMap { target in
            guard let action = target.settings as? BlocklistAction, let path = action.nftFile else {
                return nil
            }
            return .init(
                path: path,
                policy: action.effectivePolicy(serverAddresses: serverAddresses),
                ttlSeconds: action.ttlSeconds
            )
        }
    }

    /// Whether each of `table`'s blocklist files on disk holds the active entries.
    func fileStatuses(of table: RoutingTable) async throws -> [BlocklistFileStatus] {
        let active = try await store.routing.activeBlocks(now: clock.now.millisecondsSinceEpoch)
        return files(of: table).map { file in
            var problem: String?
            let contents: String?
            do {
                contents = try String(contentsOfFile: file.path, encoding: .utf8)
            } catch {
                contents = nil
                problem =
                    FileManager.default.fileExists(atPath: file.path)
                    ? "the file cannot be read; check its permissions"
                    : "the file does not exist; it is written at the next block or expiry"
            }
            return BlocklistFileStatus.check(
                path: file.path,
                contents: contents,
                readProblem: problem,
                active: active,
                policy: file.policy
            )
        }
    }

    private static func failure(_ step: String, path: String, errno code: Int32) -> ActionError {
        ActionError(
            code: .fileWrite,
            message: "nft_file \(path): cannot \(step) (errno \(code), \(String(cString: strerror(code)))); "
                + "check that the directory exists and is writable"
        )
    }
}
