// SPDX-License-Identifier: Apache-2.0

import Foundation
import GRDB
import Logging
import Testing
import TocsinCore
import TocsinResponse
import TocsinTesting

@testable import TocsinStore

/// Tocsin's own event ids are keyed to the node; delivery row ids are never handed out twice.
struct EventIdentifierTests {
    func identifiers(_ directory: TemporaryDirectory) throws -> EventIdentifiers {
        try EventStore.open(
            StoreConfiguration(dataDirectory: directory.path),
            logger: Logger(label: "test"),
            clock: SystemWallClock()
        )
        .identifiers
    }

    @Test("derived ids repeat on one node and differ between two data directories for the same input")
    func keyedToTheNode() throws {
        let first = try TemporaryDirectory()
        let second = try TemporaryDirectory()
        defer {
            first.remove()
            second.remove()
        }
        let input = ["17", "0", "1"]
        let id = try identifiers(first).derived("delivery", input)
        #expect(try identifiers(first).derived("delivery", input) == id, "a replay gets the same id")
        #expect(try identifiers(second).derived("delivery", input) != id)
        #expect(id.hasPrefix("delivery-") && id.count == "delivery-".count + 32)
        let digits = id.dropFirst("delivery-".count)
        #expect(digits.allSatisfy { $0.isHexDigit })
    }

    @Test("parts are length-delimited: moving a separator between parts changes the id")
    func unambiguousParts() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let ids = try identifiers(directory)
        #expect(ids.derived("dryrun", ["1", "a-b", "c"]) != ids.derived("dryrun", ["1", "a", "b-c"]))
        #expect(ids.derived("dryrun", ["1"]) != ids.derived("delivery", ["1"]))
    }

    func deadLetter(_ id: Int64) -> DeliveryUpdate {
        DeliveryUpdate(
            id: id,
            state: .deadLettered,
            attempts: 1,
            nextAttemptMilliseconds: 0,
            attemptMilliseconds: 0,
            failure: nil,
            deadLetterReason: "max-attempts"
        )
    }

    @Test("a purged delivery's id is not given to the next delivery")
    func purgedIdNotReused() async throws {
        try await withRunningStore { store, _ in
            let sequences = try await store.append((1...3).map { EventFixtures.sshFailure(id: "e\($0)") })
                .map(\.sequence)
            func route(_ sequence: Int64) async throws -> Int64 {
                try await store.routing.recordRoutes(
                    [.init(eventSequence: sequence, rule: "r", target: "t", input: nil, dryRun: false)],
                    cursor: "router",
                    to: sequence
                )
                return try #require(try await store.routing.deliveries(event: sequence).first?.id)
            }
            _ = try await route(sequences[0])
            let newest = try await route(sequences[1])
            try await store.routing.complete([deadLetter(newest)])
            #expect(try await store.routing.purge(DeliveryFilter(ids: [newest])) == [newest])
            #expect(try await route(sequences[2]) > newest)
        }
    }

    @Test("the upgrade keeps every delivery and starts ids past those the log names")
    func migrationFromVersion3() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = try DatabaseQueue(path: directory.path + "/tocsin.db")
        try Schema.migrator.migrate(database, upTo: "v3-ocsf")
        try database.write { db in
            // Deliveries 1 and 2 remain; 7 was purged, and only the log's delivery event names it.
            try db.execute(
                sql: """
                    INSERT INTO events (seq, source, id, type, attributes, data_kind, data, ingest_ms, prev_hash, hash)
                    VALUES (1, '/tocsin/delivery', 'delivery-7-0-1', 'tocsin.delivery.succeeded', x'', 0, x'', 0, x'', x'');
                    INSERT INTO deliveries (id, event_seq, rule, target, state, routed_ms, next_ms)
                    VALUES (1, 1, 'r', 'a', 'pending', 5, 6), (2, 1, 'r', 'b', 'dead-lettered', 5, 6);
                    """
            )
        }
        try Schema.migrator.migrate(database)
        try database.write { db in
            let kept = try Row.fetchAll(db, sql: "SELECT id, target, state FROM deliveries ORDER BY id")
            #expect(kept.map { $0["target"] as String } == ["a", "b"])
            #expect(kept.map { $0["state"] as String } == ["pending", "dead-lettered"])
            let indexes = try String.fetchAll(
                db,
                sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'deliveries' ORDER BY name"
            )
            #expect(indexes.contains("deliveries_due") && indexes.contains("deliveries_target"))
            try db.execute(
                sql:
                    "INSERT INTO deliveries (event_seq, rule, target, state, routed_ms, next_ms) VALUES (1, 'r', 'c', 'pending', 0, 0)"
            )
            #expect(db.lastInsertedRowID == 8)
        }
    }
}
