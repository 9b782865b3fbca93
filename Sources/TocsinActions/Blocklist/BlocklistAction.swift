// SPDX-License-Identifier: Apache-2.0

public import TocsinConfig
public import TocsinCore
public import TocsinResponse

/// `kind: blocklist`: adds the event's IP address or CIDR block to the built-in blocklist (served
/// at `GET /v1/blocklist`) and, with `nft_file`, rewrites an nftables set file.
public struct BlocklistAction: Action, Hashable {
    /// `blocklist`.
    public static let kindName = "blocklist"
    /// Where the IP or CIDR is in the event (`$.data.ip`).
    public var ipPath: JSONPath
    /// How long an entry stays on the list, refreshed by every new match.
    public var ttlSeconds: Int64
    /// The nftables file rewritten atomically on every change, when set.
    public var nftFile: String?
    /// What the list may hold; the server's own addresses are added when it runs.
    public var policy: BlocklistPolicy

    /// Creates the settings.
    public init(ipPath: JSONPath, ttlSeconds: Int64 = 3600, nftFile: String? = nil, policy: BlocklistPolicy = .init()) {
        self.ipPath = ipPath
        self.ttlSeconds = ttlSeconds
        self.nftFile = nftFile
        self.policy = policy
    }

    /// Reads `ip_path`, `ttl_seconds`, `nft_file`, `never_block` and `max_entries`.
    public static func read(_ reader: inout ObjectReader) -> BlocklistAction? {
        let path = reader.jsonPath("ip_path", required: true)
        let ttl = reader.integer("ttl_seconds", default: 3600, range: 1...31_536_000)
        let file = reader.string("nft_file")
        if let file, !file.hasPrefix("/") {
            reader.report("nft_file", "must be an absolute path")
        }
        var policy = BlocklistPolicy()
        if reader.object["never_block"] != nil {
            policy.neverBlock = []
            for (index, text) in reader.strings("never_block").enumerated() {
                if let range = BlocklistPolicy.range(text) {
                    policy.neverBlock.append(range)
                } else {
                    reader.report("never_block[\(index)]", "must be an IP address or CIDR block such as 10.0.0.0/8")
                }
            }
        }
        policy.maxEntries = Int(
            reader.integer("max_entries", default: Int64(BlocklistPolicy.defaultMaxEntries), range: 1...1_000_000)
        )
        return path.map { BlocklistAction(ipPath: $0, ttlSeconds: ttl, nftFile: file, policy: policy) }
    }

    /// Every setting (a blocklist has no secret).
    public func redactedMembers(_ redactor: SecretRedactor) -> [JSONObject.Member] {
        var members: [JSONObject.Member] = [
            .init(name: "ip_path", value: .string(ipPath.description)),
            .init(name: "ttl_seconds", value: .number(JSONNumber(ttlSeconds))),
        ]
        if let nftFile {
            members.append(.init(name: "nft_file", value: .string(nftFile)))
        }
        members.append(.init(name: "never_block", value: .array(policy.neverBlock.map { .string($0.text) })))
        members.append(.init(name: "max_entries", value: .number(JSONNumber(Int64(policy.maxEntries)))))
        return members
    }

    /// A blocklist target with `nft_file` writes a file on the host.
    public var hostConfigurationReason: String? {
        nftFile == nil ? nil : "a blocklist target with nft_file writes a file on the Tocsin host"
    }

    /// The `nft_file` directory must exist and be writable.
    public func hostProblems() -> [String] {
        guard let nftFile, let problem = HostFiles.directoryProblem(of: nftFile) else {
            return []
        }
        return ["nft_file \(nftFile): \(problem)"]
    }

    /// The policy with the server's own listen addresses added to `never_block`.
    public func effectivePolicy(serverAddresses: [IPRange]) -> BlocklistPolicy {
        var policy = self.policy
        policy.neverBlock += serverAddresses
        return policy
    }

    /// Validates the address, applies the policy, stores the entry and rewrites the file.
    public func perform(_ request: ActionRequest, context: any ActionContext) async -> ActionResult {
        let canonical: (entry: String, isV6: Bool)
        switch BlocklistFormat.canonical(ipPath.evaluate(request.event) ?? .null) {
        case .success(let value): canonical = value
        case .failure(let failure): return ActionResult(.failed(failure))
        }
        guard let range = BlocklistPolicy.range(canonical.entry) else {
            return .failed(.rejected, "the value at the IP path is not an IP address or CIDR block")
        }
        let policy = effectivePolicy(serverAddresses: context.blocklist.serverAddresses)
        let now = context.now.millisecondsSinceEpoch
        do {
            let active = try await context.blocklist.activeEntries(nowMilliseconds: now)
            if let refusal = policy.refusal(adding: range, active: active) {
                return ActionResult(.failed(refusal))
            }
        } catch {
            return .failed(.transport, "the blocklist store could not be read (\(type(of: error)))")
        }
        let entry = BlocklistEntry(
            entry: canonical.entry,
            isV6: canonical.isV6,
            addedMilliseconds: now,
            expiresMilliseconds: now + ttlSeconds * 1000,
            rule: request.delivery.rule,
            eventSequence: request.delivery.eventSequence
        )
        do {
            guard try await context.blocklist.add(entry, maxEntries: policy.maxEntries) else {
                return ActionResult(.failed(policy.fullRefusal))
            }
        } catch {
            return .failed(.transport, "the blocklist store could not be written (\(type(of: error)))")
        }
        if let nftFile {
            do {
                try await context.blocklist.writeFile(nftFile, policy: policy)
            } catch let error as ActionError {
                return .failed(.transport, error.message)
            } catch {
                return .failed(.transport, "nft_file \(nftFile) could not be written (\(type(of: error)))")
            }
        }
        return ActionResult(.succeeded(status: nil), detail: entry.json)
    }
}
