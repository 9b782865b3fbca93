// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing
import TocsinActions
import TocsinConfig
import TocsinCore
import TocsinResponse
import TocsinTesting

/// Blocklist semantics: networks never blocked, the entry cap, validation of what is read back,
/// expiry on the injected clock, and the host check of `nft_file`.
struct BlocklistTests {
    static func block(_ ip: String, target: TargetDefinition, context: RecordingContext) async -> ActionResult {
        let logged = Requests.event(data: #"{"ip":"\#(ip)"}"#)
        return await ActionRegistry.perform(Requests.request(target, logged: logged), context: context)
    }

    static func rejection(_ result: ActionResult) -> String? {
        guard case .failed(let failure) = result.outcome, failure.kind == .rejected, !failure.isRetryable else {
            return nil
        }
        return failure.message
    }

    struct NeverBlockCase: Sendable, CustomTestStringConvertible {
        let address: String
        let network: String?
        var testDescription: String { address }
    }

    @Test(
        "default never_block: loopback, link-local and the server's own addresses",
        arguments: [
            NeverBlockCase(address: "127.0.0.1", network: "127.0.0.0/8"),
            NeverBlockCase(address: "127.0.0.0/8", network: "127.0.0.0/8"),
            NeverBlockCase(address: "169.254.169.254", network: "169.254.0.0/16"),
            NeverBlockCase(address: "::1", network: "::1"),
            NeverBlockCase(address: "fe80::1", network: "fe80::/10"),
            NeverBlockCase(address: "198.51.100.7", network: "198.51.100.7"),
            NeverBlockCase(address: "198.51.100.0/24", network: "198.51.100.7"),
            NeverBlockCase(address: "203.0.113.9", network: nil),
            NeverBlockCase(address: "2001:db8::1", network: nil),
        ]
    )
    func neverBlock(_ example: NeverBlockCase) async throws {
        let target = try Requests.target(#"{"kind": "blocklist", "ip_path": "$.data.ip"}"#)
        let server = try #require(BlocklistPolicy.range("198.51.100.7"))
        let context = RecordingContext(serverAddresses: [server])
        let result = await Self.block(example.address, target: target, context: context)
        if let network = example.network {
            #expect(
                Self.rejection(result) == "the address is inside never_block network \(network); it is never blocked"
            )
            #expect(try await context.memory.activeEntries(nowMilliseconds: 0).isEmpty)
        } else {
            #expect(result.outcome == .succeeded(status: nil))
        }
    }

    @Test("a target's never_block replaces the default")
    func customNeverBlock() async throws {
        let target = try Requests.target(
            #"{"kind": "blocklist", "ip_path": "$.data.ip", "never_block": ["10.0.0.0/8"]}"#
        )
        #expect(Self.rejection(await Self.block("10.1.2.3", target: target, context: RecordingContext())) != nil)
        #expect(
            await Self.block("127.0.0.1", target: target, context: RecordingContext()).outcome
                == .succeeded(status: nil)
        )
        #expect(throws: ConfigError.self) {
            try Requests.target(#"{"kind": "blocklist", "ip_path": "$.data.ip", "never_block": ["nope"]}"#)
        }
    }

    @Test("max_entries: a full list dead-letters new entries with the reason, and still extends old ones")
    func maxEntries() async throws {
        let target = try Requests.target(#"{"kind": "blocklist", "ip_path": "$.data.ip", "max_entries": 2}"#)
        let context = RecordingContext()
        #expect(await Self.block("203.0.113.1", target: target, context: context).outcome == .succeeded(status: nil))
        #expect(await Self.block("203.0.113.2", target: target, context: context).outcome == .succeeded(status: nil))
        let refused = Self.rejection(await Self.block("203.0.113.3", target: target, context: context))
        #expect(
            refused == "the blocklist is full: it holds max_entries (2) active entries; "
                + "raise max_entries or shorten ttl_seconds"
        )
        #expect(await Self.block("203.0.113.1", target: target, context: context).outcome == .succeeded(status: nil))
        let entries = try await context.memory.activeEntries(nowMilliseconds: context.now.millisecondsSinceEpoch)
        #expect(entries.map(\.entry) == ["203.0.113.1", "203.0.113.2"])
    }

    @Test("entries read back from the store are validated again before they reach the file")
    func readBackValidation() {
        func entry(_ text: String, isV6: Bool = false, added: Int64 = 0) -> BlocklistEntry {
            BlocklistEntry(
                entry: text,
                isV6: isV6,
                addedMilliseconds: added,
                expiresMilliseconds: 10,
                rule: "r",
                eventSequence: 1
            )
        }
        let stored = [
            entry("203.0.113.9"),
            entry("203.0.113.9; flush ruleset"),
            entry("0.0.0.0/0"),
            entry("127.0.0.1"),
            entry("203.0.113.10", isV6: true),
            entry("203.000.113.11"),
            entry("2001:db8::/64", isV6: true),
        ]
        let (valid, refused) = BlocklistPolicy().validated(stored)
        #expect(valid.map(\.entry) == ["2001:db8::/64", "203.0.113.9"])
        #expect(refused == 5)
        let capped = BlocklistPolicy(maxEntries: 1).validated([
            entry("203.0.113.1", added: 1), entry("203.0.113.2", added: 2),
        ])
        #expect(capped.valid.map(\.entry) == ["203.0.113.2"], "over the cap the newest are kept")
    }

    @Test("expiry removes entries from the file on the injected clock, without a new block")
    func expiryRewritesTheFile() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/tocsin.nft"
        let clock = ManualClock()
        let context = RecordingContext(clock: clock)
        let short = try Requests.target(
            #"{"kind": "blocklist", "ip_path": "$.data.ip", "ttl_seconds": 10, "nft_file": "\#(path)"}"#
        )
        let long = try Requests.target(
            #"{"kind": "blocklist", "ip_path": "$.data.ip", "ttl_seconds": 60, "nft_file": "\#(path)"}"#
        )
        #expect(await Self.block("203.0.113.1", target: short, context: context).outcome == .succeeded(status: nil))
        #expect(await Self.block("203.0.113.2", target: long, context: context).outcome == .succeeded(status: nil))
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains("203.0.113.1, 203.0.113.2"))
        let settings = try #require(short.settings as? BlocklistAction)
        let expiry = BlocklistExpiry(
            clock: clock,
            blocklist: context.memory,
            files: { [BlocklistFileSettings(path: path, policy: settings.policy, ttlSeconds: 10)] },
            failed: { path, error in Issue.record("\(path): \(error)") }
        )
        let task = Task { try await expiry.run() }
        await clock.waitForSleepers(1)
        clock.advance(by: .seconds(10))
        await clock.waitForSleepers(1)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(!text.contains("203.0.113.1") && text.contains("elements = { 203.0.113.2 }"))
        task.cancel()
        _ = await task.result
    }

    @Test("the next wake is the earliest expiry, never later than the shortest TTL")
    func wakeTimes() async throws {
        let clock = ManualClock(start: WallInstant(millisecondsSinceEpoch: 0))
        let memory = MemoryBlocklist(serverAddresses: [])
        func expiry(ttl: Int64) -> BlocklistExpiry<ManualClock> {
            BlocklistExpiry(
                clock: clock,
                blocklist: memory,
                files: {
                    [BlocklistFileSettings(path: "/nonexistent/x.nft", policy: BlocklistPolicy(), ttlSeconds: ttl)]
                },
                failed: { _, _ in }
            )
        }
        var written: [String: [String]] = [:]
        #expect(try await expiry(ttl: 30).pass(written: &written) == 30_000, "empty list: wake after the shortest TTL")
        _ = try await memory.add(
            BlocklistEntry(
                entry: "203.0.113.1",
                isV6: false,
                addedMilliseconds: 0,
                expiresMilliseconds: 5_000,
                rule: "r",
                eventSequence: 1
            ),
            maxEntries: 10
        )
        #expect(try await expiry(ttl: 30).pass(written: &written) == 5_000)
        #expect(try await expiry(ttl: 3).pass(written: &written) == 3_000)
    }

    @Test("config check: the nft_file directory must exist and be writable")
    func hostProblems() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let good = try Requests.target(
            #"{"kind": "blocklist", "ip_path": "$.ip", "nft_file": "\#(directory.path)/t.nft"}"#
        )
        #expect(ActionRegistry.hostProblems(of: good).isEmpty)
        let missing = try Requests.target(
            #"{"kind": "blocklist", "ip_path": "$.ip", "nft_file": "\#(directory.path)/no/t.nft"}"#
        )
        let problems = ActionRegistry.hostProblems(of: missing)
        #expect(problems.count == 1 && problems[0].contains("\(directory.path)/no does not exist (errno 2)"))
        let file = directory.path + "/plain"
        #expect(FileManager.default.createFile(atPath: file, contents: nil))
        let notDirectory = try Requests.target(
            #"{"kind": "blocklist", "ip_path": "$.ip", "nft_file": "\#(file)/t.nft"}"#
        )
        #expect(ActionRegistry.hostProblems(of: notDirectory).first?.contains("is not a directory") == true)
        let program = try Requests.target(#"{"kind": "exec", "command": "\#(directory.path)/missing"}"#)
        #expect(ActionRegistry.hostProblems(of: program).count == 1)
    }

    @Test("the read model compares the file on disk with the active entries")
    func inSync() {
        let entry = BlocklistEntry(
            entry: "203.0.113.9",
            isV6: false,
            addedMilliseconds: 0,
            expiresMilliseconds: 9,
            rule: "r",
            eventSequence: 1
        )
        let policy = BlocklistPolicy()
        let current = BlocklistFormat.nftables([entry])
        #expect(
            BlocklistFileStatus.check(path: "/f", contents: current, readProblem: nil, active: [entry], policy: policy)
                .isInSync
        )
        let stale = BlocklistFileStatus.check(
            path: "/f",
            contents: BlocklistFormat.nftables([]),
            readProblem: nil,
            active: [entry],
            policy: policy
        )
        #expect(!stale.isInSync && stale.problem != nil)
        let missing = BlocklistFileStatus.check(
            path: "/f",
            contents: nil,
            readProblem: "the file does not exist",
            active: [],
            policy: policy
        )
        #expect(!missing.isInSync && missing.json["problem"] == .string("the file does not exist"))
    }
}
