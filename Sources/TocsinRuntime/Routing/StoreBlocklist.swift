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
    /// One serialised writer per file path (a temporary file created `O_EXCL|O_NOFOLLOW`, fsync,
    /// rename, directory fsync).
    let writers = NFTablesFiles()

    func activeEntries(nowMilliseconds: Int64) async throws -> [BlocklistEntry] {
        try await store.routing.activeBlocks(now: nowMilliseconds)
    }

    func add(_ entry: BlocklistEntry, maxEntries: Int) async throws -> Bool {
        try await store.routing.block(entry, maxEntries: maxEntries)
    }

    /// Writes the entries read back from the store that `policy` still accepts.
    func writeFile(_ path: String, policy: BlocklistPolicy) async throws {
        let active = try await store.routing.activeBlocks(now: clock.now.millisecondsSinceEpoch)
        do {
            try await writers.file(at: path).write(policy.validated(active).valid)
        } catch let error as FileSystemCallError {
            throw ActionError(code: .fileWrite, message: "nft_file \(path): \(error.message)")
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
}
