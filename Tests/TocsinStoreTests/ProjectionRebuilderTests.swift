// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore
import TocsinResponse
import TocsinStore
import TocsinTesting

/// Read models rebuilt from the log: comparisons that find tampered rows, rebuilds that restore
/// them, the refusal to drop rows the log does not describe, and following the log afterwards.
struct ProjectionRebuilderTests {
    static let base: Int64 = 1_800_000_000_000

    /// A `tocsin.delivery.succeeded` event of a blocklist target that added `entry`.
    static func blocked(_ entry: BlocklistEntry, delivery: Int64) -> CloudEvent {
        let data = JSONValue.object(
            JSONObject([
                .init(name: "delivery", value: .number(JSONNumber(delivery))),
                .init(name: "event", value: .number(JSONNumber(entry.eventSequence))),
                .init(name: "rule", value: .string(entry.rule)),
                .init(name: "target", value: .string("edge")),
                .init(name: "attempt", value: .number(JSONNumber(1))),
                .init(name: "action", value: entry.json),
            ])
        )
        return CloudEvent(
            id: "delivery-\(delivery)",
            source: "/tocsin/delivery",
            type: "tocsin.delivery.succeeded",
            dataContentType: "application/json",
            subject: "edge",
            time: Timestamp(epochMilliseconds: entry.addedMilliseconds),
            data: .json(JSONWriter().bytes(data))
        )
    }

    /// Blocks `entry` the way the blocklist action does: the row first, then its delivery event.
    static func block(_ entry: BlocklistEntry, delivery: Int64, in store: EventStore) async throws {
        _ = try await store.routing.activeBlocks(now: entry.addedMilliseconds)
        _ = try await store.routing.block(entry, maxEntries: .max)
        _ = try await store.append([blocked(entry, delivery: delivery)])
    }

    static func entry(_ ip: String, at added: Int64, ttlSeconds: Int64, rule: String = "ssh") -> BlocklistEntry {
        BlocklistEntry(
            entry: ip,
            isV6: ip.contains(":"),
            addedMilliseconds: added,
            expiresMilliseconds: added + ttlSeconds * 1000,
            rule: rule,
            eventSequence: 1
        )
    }

    @Test("incidents: a fresh fold equals the live read model; a tampered row is found and a rebuild restores it")
    func incidentsRebuild() async throws {
        try await withRunningStore { store, directory in
            _ = try await IncidentStoreTests.raise(
                [
                    IncidentStoreTests.alert("ssh", ip: "203.0.113.9", at: Self.base),
                    IncidentStoreTests.alert("ssh", ip: "198.51.100.7", at: Self.base + 1_000),
                ],
                in: store
            )
            try await IncidentStoreTests.follow(store)
            _ = try await IncidentStoreTests.act(.acknowledge, 1, in: store)
            _ = try await IncidentStoreTests.act(.close, 2, in: store)
            try await IncidentStoreTests.follow(store)
            let rebuilder = ProjectionRebuilder(store: store, scratchDirectory: directory)

            let equal = try await rebuilder.compare("incidents", nowMilliseconds: Self.base)
            #expect(equal.isEqual)
            #expect(equal.tables.map(\.name) == ["incidents", "alerts", "incident_actions"])
            #expect(equal.tables.map(\.liveRows) == [2, 2, 2])

            try tamper(directory, "UPDATE incidents SET status = 'open', assignee = 'mallory' WHERE id = 2")
            let tampered = try await rebuilder.compare("incidents", nowMilliseconds: Self.base)
            #expect(!tampered.isEqual)
            let incidents = try #require(tampered.tables.first)
            #expect(incidents.onlyLive == 1 && incidents.onlyRebuilt == 1 && incidents.differingKeys == ["2"])

            let rebuilt = try await rebuilder.rebuild("incidents")
            #expect(rebuilt.rows == ["incidents": 2, "alerts": 2, "incident_actions": 2])
            #expect(try await store.incidents.incident(id: 2)?.incident.status == .closed)
            #expect(try await rebuilder.compare("incidents", nowMilliseconds: Self.base).isEqual)
            #expect(try await store.incidents.unannounced().isEmpty, "the opened events in the log mark them announced")
        }
    }

    @Test("identities: rows the log does not describe refuse a rebuild until they are logged; admin stays")
    func identitiesNeedTheirEvents() async throws {
        try await withRunningStore { store, directory in
            #expect(try store.identities.bootstrapAdminKey(dataDirectory: directory, now: Self.base))
            let legacy = Identity(name: "legacy", roles: [.reader], createdAtMilliseconds: Self.base + 1)
            try await store.identities.create(legacy, secretHash: Array(repeating: 7, count: 32))
            let rebuilder = ProjectionRebuilder(store: store, scratchDirectory: directory)
            let unlogged = try await rebuilder.unloggedRows("identities", identifiers: store.identifiers)
            #expect(unlogged.map(\.type) == ["tocsin.key.created"] && unlogged.first?.subject == "legacy")
            await #expect(throws: StoreError.self) { try await rebuilder.rebuild("identities") }
            #expect(try store.identities.load().identities.map(\.name) == ["admin", "legacy"], "nothing changed")

            _ = try await store.append(unlogged)
            _ = try await store.append(unlogged)
            #expect(try await rebuilder.unloggedRows("identities", identifiers: store.identifiers).isEmpty)
            #expect(try await store.identities.revoke(name: "legacy", now: Self.base + 5))
            _ = try await store.append([
                CloudEvent(
                    id: "revoked",
                    source: "/tocsin/keys",
                    type: "tocsin.key.revoked",
                    dataContentType: "application/json",
                    subject: "legacy",
                    time: Timestamp(epochMilliseconds: Self.base + 5),
                    data: .json(Array(#"{"name":"legacy","actor":"admin"}"#.utf8))
                )
            ])
            let rebuilt = try await rebuilder.rebuild("identities")
            #expect(rebuilt.rows == ["identities": 1] && rebuilt.events == 2, "the derived id keeps one copy")
            #expect(try await rebuilder.compare("identities", nowMilliseconds: Self.base).isEqual)
            let loaded = try store.identities.load().identities
            #expect(loaded.map(\.name) == ["admin", "legacy"] && loaded[1].revokedAtMilliseconds == Self.base + 5)

            try tamper(directory, "UPDATE identities SET roles = 'admin' WHERE name = 'legacy'")
            let tampered = try await rebuilder.compare("identities", nowMilliseconds: Self.base)
            #expect(tampered.tables.first?.differingKeys == ["legacy"])
        }
    }

    @Test("blocklist: blocks, extensions and expiries fold to the entries in force; follow applies new events")
    func blocklistRebuildAndFollow() async throws {
        try await withRunningStore { store, directory in
            let rebuilder = ProjectionRebuilder(store: store, scratchDirectory: directory)
            try await Self.block(Self.entry("203.0.113.9", at: Self.base, ttlSeconds: 60), delivery: 1, in: store)
            try await Self.block(
                Self.entry("2001:db8::1", at: Self.base + 1_000, ttlSeconds: 5),
                delivery: 2,
                in: store
            )
            try await Self.block(
                Self.entry("203.0.113.9", at: Self.base + 2_000, ttlSeconds: 120, rule: "scan"),
                delivery: 3,
                in: store
            )
            // The IPv6 entry expired at base + 6s; blocking it again starts a new entry.
            try await Self.block(
                Self.entry("2001:db8::1", at: Self.base + 7_000, ttlSeconds: 30),
                delivery: 4,
                in: store
            )
            try await Self.block(
                Self.entry("198.51.100.7", at: Self.base + 8_000, ttlSeconds: 1),
                delivery: 5,
                in: store
            )
            _ = try await rebuilder.rebuild("blocklist")
            for now in [Self.base + 8_500, Self.base + 9_500, Self.base + 61_000] {
                #expect(try await rebuilder.compare("blocklist", nowMilliseconds: now).isEqual, "at \(now)")
            }
            let active = try await store.routing.activeBlocks(now: Self.base + 8_500)
            #expect(active.map(\.entry) == ["198.51.100.7", "2001:db8::1", "203.0.113.9"])
            #expect(active.first { $0.entry == "2001:db8::1" }?.addedMilliseconds == Self.base + 7_000)
            #expect(active.first { $0.entry == "203.0.113.9" }?.rule == "scan")

            // A row written without its event (a crash between the two) is the kind of gap a check names.
            _ = try await store.routing.block(
                Self.entry("192.0.2.1", at: Self.base + 9_000, ttlSeconds: 60),
                maxEntries: .max
            )
            let gap = try await rebuilder.compare("blocklist", nowMilliseconds: Self.base + 9_500)
            #expect(gap.tables.first?.onlyLive == 1 && gap.tables.first?.differingKeys == ["192.0.2.1"])
            _ = try await store.append([
                Self.blocked(Self.entry("192.0.2.1", at: Self.base + 9_000, ttlSeconds: 60), delivery: 6)
            ])
            #expect(try await rebuilder.follow())
            #expect(try await rebuilder.compare("blocklist", nowMilliseconds: Self.base + 9_500).isEqual)
        }
    }

    @Test("an unknown projection is refused with the list of known ones")
    func unknownProjection() async throws {
        try await withRunningStore { store, directory in
            let rebuilder = ProjectionRebuilder(store: store, scratchDirectory: directory)
            let error = await #expect(throws: StoreError.self) { try await rebuilder.rebuild("nope") }
            #expect(error?.message.contains("incidents, identities, blocklist, rules, deliveries") == true)
        }
    }
}
