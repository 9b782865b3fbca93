// SPDX-License-Identifier: Apache-2.0

#if NATS
import Foundation
import Synchronization
import Testing
import TocsinCore
import TocsinNATS
import TocsinTesting

@Suite("NATS event mesh: two regions linked by leafnodes", .serialized, .timeLimit(.minutes(2)))
struct NATSMeshTests {
    static func event(_ index: Int) -> CloudEvent {
        CloudEvent(
            id: "mesh-\(index)",
            source: "sensor/region-a",
            type: "auth.login.failed",
            subject: "user-\(index % 7)",
            data: .json(Array(#"{"attempt":\#(index)}"#.utf8))
        )
    }

    @Test(
        "Region b's stream copies region a's log in order; a cut link buffers, and the copy catches up when it is back"
    )
    func sourceAcrossRegionsSurvivesACutLink() async throws {
        let proxies = Mutex<[TCPProxy]>([])
        try await NATSTestCluster.with(regions: 2) { base in
            // Region b reaches region a's leafnode ports only through relays the test can cut.
            var relays: [TCPProxy] = []
            for port in (3000..<3003).map({ base + $0 }) {
                relays.append(try await TCPProxy.start(forwardingTo: port))
            }
            proxies.withLock { $0 = relays }
            return relays.map { "nats-leaf://127.0.0.1:\($0.port)" }
        } _: { cluster in
            let regionA = try await cluster.connect(region: "a")
            // The copy is an operator's stream (serve does not consume it yet): the unrestricted user.
            let regionB = try await cluster.connect(region: "b", user: "tocsin-admin")
            let log = try await JetStreamEventLog.open(
                connection: regionA,
                configuration: JetStreamLogConfiguration(replicas: 3)
            ) { 1_000 }
            _ = try await log.append((0..<50).map(Self.event))
            let copy = NATSStreamConfiguration(
                name: "TOCSIN_EVENTS_FROM_A",
                subjects: [],
                replicas: 3,
                sources: [NATSStreamSource(name: "TOCSIN_EVENTS", apiPrefix: "$JS.a.API")]
            )
            _ = try await regionB.ensureStream(copy)
            #expect(
                try await TocsinTesting.holds(within: .seconds(30)) {
                    try await regionB.streamInfo(copy.name).lastSequence == 50
                }
            )

            let relays = proxies.withLock { $0 }
            for relay in relays {
                await relay.cut()
            }
            let whileCut = try await log.append((50..<120).map(Self.event))
            #expect(whileCut.allSatisfy { !$0.isDuplicate } && whileCut.last?.sequence == 120)
            #expect(try await regionB.streamInfo(copy.name).lastSequence == 50, "nothing crosses a cut link")

            for relay in relays {
                relay.restore()
            }
            #expect(
                try await TocsinTesting.holds(within: .seconds(45)) {
                    try await regionB.streamInfo(copy.name).lastSequence == 120
                }
            )
            let copied = try await regionB.streamInfo(copy.name)
            #expect(copied.messages == 120, "each message once")
            for sequence in [UInt64(1), 50, 51, 120] {
                let original = try #require(try await regionA.message(stream: "TOCSIN_EVENTS", sequence: sequence))
                let mirrored = try #require(try await regionB.message(stream: copy.name, sequence: sequence))
                #expect(mirrored.subject == original.subject && mirrored.payload == original.payload)
            }
            for relay in relays {
                await relay.stop()
            }
            await regionA.close()
            await regionB.close()
        }
    }

    @Test(
        "A node in region b with --nats-source-domain a routes and detects region a's events; a cut link loses none"
    )
    func regionBRoutesRegionAEvents() async throws {
        let proxies = Mutex<[TCPProxy]>([])
        try await NATSTestCluster.with(regions: 2) { base in
            var relays: [TCPProxy] = []
            for port in (3000..<3003).map({ base + $0 }) {
                relays.append(try await TCPProxy.start(forwardingTo: port))
            }
            proxies.withLock { $0 = relays }
            return relays.map { "nats-leaf://127.0.0.1:\($0.port)" }
        } _: { cluster in
            let directory = try TemporaryDirectory(prefix: "tocsin-nats-mesh")
            defer { directory.remove() }
            let receiver = try await LoopbackReceiver.start()
            try FileManager.default.createDirectory(
                atPath: directory.path + "/rules",
                withIntermediateDirectories: true
            )
            let rules = """
                targets:
                  hook: {kind: webhook, url: "http://127.0.0.1:\(receiver.port)/hook"}
                rules:
                  failed-logins: {pattern: {type: [auth.login.failed]}, targets: [{target: hook}]}
                  brute-force:
                    pattern: {type: [auth.login.failed]}
                    threshold: {count: 5, within_seconds: 3600, group_by: [$.subject]}
                    targets: [{target: hook}]
                """
            try Data(rules.utf8).write(to: URL(fileURLWithPath: directory.path + "/rules/mesh.yaml"))
            let regionA = try await cluster.connect(region: "a")
            let log = try await JetStreamEventLog.open(
                connection: regionA,
                configuration: JetStreamLogConfiguration(replicas: 3)
            ) { 1_000 }
            _ = try await log.append((0..<30).map(Self.event))
            let node = try await TocsinNode.start(
                name: "b1",
                cluster: cluster,
                dataDirectory: directory.path + "/b1",
                urls: cluster.regionBURLs,
                arguments: [
                    "--nats-source-domain", "a", "--rules-dir", directory.path + "/rules",
                    "--allow-target-network", "127.0.0.0/8",
                ]
            )
            try await node.stopping {
                let bodies = { receiver.received.compactMap { try? JSONParser().parse($0.body) } }
                // A threshold alert reaches the webhook as the event that raised it, with the alert under `alert`.
                let events = { bodies().filter { $0["alert"] == nil } }
                let ids = { Set(events().compactMap { $0["id"]?.stringValue }) }
                // The users of the alerts region b raised and delivered, one entry per alert.
                let alerted = {
                    bodies().compactMap { body -> String? in
                        guard case .array(let group)? = body["alert"]?["group"] else {
                            return nil
                        }
                        return group.first?["value"]?.stringValue
                    }
                }
                let first = Set((0..<30).map { "mesh-\($0)" })
                #expect(
                    try await holds(within: .seconds(45)) { ids() == first },
                    "\(ids().count) of 30; \(node.log.suffix(2000))"
                )
                // Five failures each for user-0 and user-1 (the others have four): region b detects them.
                #expect(
                    try await holds(within: .seconds(30)) { alerted().sorted() == ["user-0", "user-1"] },
                    "\(alerted()); \(node.log.suffix(2000))"
                )

                let relays = proxies.withLock { $0 }
                for relay in relays {
                    await relay.cut()
                }
                _ = try await log.append((30..<60).map(Self.event))
                let crossed = try await holds(within: .seconds(3)) { ids().count > 30 }
                let regionB = try await cluster.connect(region: "b")
                let inA = try await regionA.streamInfo("TOCSIN_EVENTS").messages
                let inB = try await regionB.streamInfo("TOCSIN_EVENTS").messages
                await regionB.close()
                #expect(
                    !crossed,
                    "nothing crosses a cut link: \(ids().subtracting(first).sorted()), cut: \(relays.map(\.isCut)), A \(inA) B \(inB)"
                )
                for relay in relays {
                    relay.restore()
                }
                let all = Set((0..<60).map { "mesh-\($0)" })
                #expect(
                    try await holds(within: .seconds(60)) { ids() == all },
                    "\(ids().count) of 60 after the link came back"
                )
                #expect(events().count == 60, "each event delivered once")
                // Every user now has five failures or more: each has an alert, and no alert came twice.
                let users = Set((0..<7).map { "user-\($0)" })
                #expect(
                    try await holds(within: .seconds(30)) { Set(alerted()) == users },
                    "\(alerted())"
                )
                #expect(Set(alerted()).count == alerted().count, "no alert is delivered twice")
                for relay in relays {
                    await relay.stop()
                }
            }
            await receiver.close()
            await regionA.close()
        }
    }
}
#endif
