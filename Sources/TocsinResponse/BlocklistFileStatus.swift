// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// Whether an nftables file on disk holds what the blocklist says, for `GET /v1/blocklist`.
public struct BlocklistFileStatus: Sendable, Hashable {
    /// The file's path.
    public var path: String
    /// Whether the file holds exactly the active, valid entries.
    public var isInSync: Bool
    /// Why it is not in sync (missing, unreadable, stale), or `nil`.
    public var problem: String?

    /// Creates a status.
    public init(path: String, isInSync: Bool, problem: String? = nil) {
        self.path = path
        self.isInSync = isInSync
        self.problem = problem
    }

    /// Compares the file's `contents` (`nil` when it cannot be read, with `readProblem`) with what
    /// `policy` makes of the `active` entries.
    public static func check(
        path: String,
        contents: String?,
        readProblem: String?,
        active: [BlocklistEntry],
        policy: BlocklistPolicy
    ) -> BlocklistFileStatus {
        guard let contents else {
            return BlocklistFileStatus(path: path, isInSync: false, problem: readProblem ?? "the file cannot be read")
        }
        let expected = BlocklistFormat.nftables(policy.validated(active).valid)
        guard contents == expected else {
            return BlocklistFileStatus(
                path: path,
                isInSync: false,
                problem: "the file's entries differ from the active blocklist; it is rewritten at the next "
                    + "block or expiry (check the server log for write errors)"
            )
        }
        return BlocklistFileStatus(path: path, isInSync: true)
    }

    /// The status as the API shows it.
    public var json: JSONValue {
        var members: [JSONObject.Member] = [
            .init(name: "path", value: .string(path)),
            .init(name: "in_sync", value: .bool(isInSync)),
        ]
        if let problem {
            members.append(.init(name: "problem", value: .string(problem)))
        }
        return .object(JSONObject(members))
    }
}
