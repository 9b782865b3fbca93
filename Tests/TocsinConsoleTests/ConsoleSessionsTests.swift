// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore

@testable import TocsinConsole

struct ConsoleSessionsTests {
    static let minute: Int64 = 60_000

    static func table(maximum: Int = 10) -> ConsoleSessions {
        var configuration = ConsoleSessions.Configuration()
        configuration.idleMilliseconds = 30 * minute
        configuration.absoluteMilliseconds = 120 * minute
        configuration.maximumSessions = maximum
        return ConsoleSessions(configuration: configuration)
    }

    static func random(_ seed: UInt8) -> [UInt8] {
        (0..<ConsoleSessions.randomByteCount).map { UInt8(truncatingIfNeeded: Int($0) &+ Int(seed) &* 7) }
    }

    struct Step: Sendable, CustomTestStringConvertible {
        let name: String
        /// Minutes after login at which the session is used, in order.
        let uses: [Int64]
        /// Minutes after login of the final lookup.
        let probe: Int64
        let expected: String
        var testDescription: String { name }
    }

    @Test(
        "lookups follow idle and absolute expiry",
        arguments: [
            Step(name: "fresh session", uses: [], probe: 1, expected: "valid"),
            Step(name: "idle just under the limit", uses: [], probe: 29, expected: "valid"),
            Step(name: "idle at the limit", uses: [], probe: 30, expected: "expired"),
            Step(name: "kept alive by use", uses: [20, 40, 60], probe: 80, expected: "valid"),
            Step(
                name: "use cannot pass the absolute limit",
                uses: [20, 40, 60, 80, 100],
                probe: 120,
                expected: "expired"
            ),
        ]
    )
    func expiry(_ step: Step) {
        var table = Self.table()
        let session = table.create(
            apiKey: "tsk_a",
            identity: "alice",
            permissions: [.readEvents],
            now: 0,
            random: Self.random(1)
        )
        for use in step.uses {
            guard case .valid = table.lookup(id: session.id, now: use * Self.minute) else {
                Issue.record("use at minute \(use) should find the session")
                return
            }
        }
        let outcome: String =
            switch table.lookup(id: session.id, now: step.probe * Self.minute) {
            case .valid: "valid"
            case .expired: "expired"
            case .unknown: "unknown"
            }
        #expect(outcome == step.expected)
    }

    @Test("ids and CSRF tokens come from the random bytes and differ")
    func identifiers() {
        var table = Self.table()
        let session = table.create(apiKey: "tsk_a", identity: "alice", permissions: [], now: 0, random: Self.random(3))
        #expect(session.id.count == 64)
        #expect(session.csrfToken.count == 64)
        #expect(session.id != session.csrfToken)
        #expect(session.id == Hex.encode(Self.random(3).prefix(32)))
    }

    @Test("logout removes the session, and a later lookup does not find it")
    func logout() {
        var table = Self.table()
        let session = table.create(apiKey: "tsk_a", identity: "alice", permissions: [], now: 0, random: Self.random(1))
        let removed = table.remove(id: session.id)
        #expect(removed)
        let found = table.lookup(id: session.id, now: 1)
        #expect(found == .unknown)
        #expect(!table.contains(id: session.id, now: 1))
        let removedAgain = table.remove(id: session.id)
        #expect(!removedAgain)
    }

    @Test("an expired lookup removes the session")
    func expiredIsRemoved() {
        var table = Self.table()
        let session = table.create(apiKey: "tsk_a", identity: "alice", permissions: [], now: 0, random: Self.random(1))
        let first = table.lookup(id: session.id, now: 31 * Self.minute)
        #expect(first == .expired)
        let second = table.lookup(id: session.id, now: 31 * Self.minute)
        #expect(second == .unknown)
        #expect(table.count == 0)
    }

    @Test("contains does not extend a session")
    func containsIsPassive() {
        var table = Self.table()
        let session = table.create(apiKey: "tsk_a", identity: "alice", permissions: [], now: 0, random: Self.random(1))
        #expect(table.contains(id: session.id, now: 29 * Self.minute))
        #expect(!table.contains(id: session.id, now: 30 * Self.minute))
    }

    @Test("a full table evicts the session that expires first")
    func eviction() {
        var table = Self.table(maximum: 2)
        let first = table.create(apiKey: "tsk_1", identity: "a", permissions: [], now: 0, random: Self.random(1))
        let second = table.create(apiKey: "tsk_2", identity: "b", permissions: [], now: 1, random: Self.random(2))
        _ = table.lookup(id: first.id, now: 5)
        let third = table.create(apiKey: "tsk_3", identity: "c", permissions: [], now: 6, random: Self.random(3))
        #expect(table.count == 2)
        let evicted = table.lookup(id: second.id, now: 7)
        #expect(evicted == .unknown)
        #expect(table.contains(id: first.id, now: 7))
        #expect(table.contains(id: third.id, now: 7))
    }

    @Test("removing by key ends every session of a refused key")
    func removeByKey() {
        var table = Self.table()
        let one = table.create(apiKey: "tsk_x", identity: "a", permissions: [], now: 0, random: Self.random(1))
        let two = table.create(apiKey: "tsk_x", identity: "a", permissions: [], now: 0, random: Self.random(2))
        let other = table.create(apiKey: "tsk_y", identity: "b", permissions: [], now: 0, random: Self.random(3))
        table.remove(apiKey: "tsk_x")
        #expect(!table.contains(id: one.id, now: 1))
        #expect(!table.contains(id: two.id, now: 1))
        #expect(table.contains(id: other.id, now: 1))
    }
}
