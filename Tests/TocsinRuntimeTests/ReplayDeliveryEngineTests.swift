// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinConfig
import TocsinCore
import TocsinRules
import TocsinStore

@testable import TocsinRuntime

/// What a delivering replay's engine hands out: the deliveries the report counts, in order, each
/// with the record it delivers and which outcome of its event it is.
struct ReplayDeliveryEngineTests {
    static func deliveries(_ selection: ReplaySelection) throws -> [ReplayEngine.Delivery] {
        var engine = try ReplayEngine(table: try ReplayEngineTests.table(), selection: selection)
        var handed: [ReplayEngine.Delivery] = []
        for event in ReplayEngineTests.history {
            engine.process(event)
            handed += engine.takeDeliveries()
        }
        #expect(engine.takeDeliveries().isEmpty)
        return handed
    }

    @Test("a shadow report hands out no deliveries")
    func dryRunDeliversNothing() throws {
        #expect(try Self.deliveries(ReplaySelection(targets: ["pager"])).isEmpty)
    }

    @Test("a delivering replay hands out the selected deliveries in sequence order, alerts as alert-N")
    func delivering() throws {
        var selection = ReplaySelection(targets: ["pager"])
        selection.delivers = true
        let handed = try Self.deliveries(selection)
        let summary = handed.map { "\($0.event.sequence) \($0.origin) \($0.route.rule) \($0.route.target)" }
        #expect(
            summary == [
                "1 event console-login pager",
                "5 alert-0 ssh-bruteforce pager",
                "9 event console-login pager",
            ]
        )
        #expect(handed[0].event == ReplayEngineTests.history[0])
        #expect(handed[1].event.event.type == "tocsin.alert.raised")
        #expect(handed[1].event.sequence == 5)
        let report = try ReplayEngineTests.run(selection)
        #expect(report.targets["pager"]?.deliveries == handed.count)
    }

    @Test("replay idempotency keys differ by replay, event, outcome, rule and target, and repeat for the same")
    func idempotencyKeys() throws {
        let identifiers = EventIdentifiers.ephemeral()
        let table = try ReplayEngineTests.table()
        let route = try #require(
            table.routes(for: ReplayEngineTests.history[0].matchDocument, context: MatchContext()).first
        )
        func key(_ replay: String, _ sequence: Int64, _ origin: String) -> String {
            ReplayRunner.idempotencyKey(identifiers, replay: replay, sequence: sequence, origin: origin, route: route)
        }
        #expect(key("1", 1, "event") == key("1", 1, "event"))
        let keys = [key("1", 1, "event"), key("2", 1, "event"), key("1", 2, "event"), key("1", 1, "alert-0")]
        #expect(Set(keys).count == keys.count)
        #expect(keys.allSatisfy { $0.hasPrefix("tocsin-replay-") && $0.count == "tocsin-replay-".count + 32 })
    }
}
