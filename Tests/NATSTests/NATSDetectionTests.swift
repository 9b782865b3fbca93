// SPDX-License-Identifier: Apache-2.0

#if NATS
import Foundation
import NIOHTTP1
import Testing
import TocsinCore
import TocsinTesting

/// Detection on a cluster (docs/scale-out.md): two real nodes with one threshold rule on a real
/// 3-node cluster split the detection partitions; when one dies, the other takes its partitions
/// over, rebuilding their state from the stream, and the alerts are those of a single node.
@Suite("Detection on a cluster", .serialized, .timeLimit(.minutes(3)))
struct NATSDetectionTests {
    /// A threshold rule whose alerts go to a webhook on `port`.
    static func rules(port: Int) -> String {
        """
        targets:
          soc: {kind: webhook, url: "http://127.0.0.1:\(port)/alerts"}
        rules:
          brute-force:
            description: Five failed logins for one user
            pattern: {type: [auth.login.failed]}
            threshold: {count: 5, within_seconds: 600, group_by: [$.subject]}
            targets: [{target: soc}]
        """
    }

    /// A failed login for `user`.
    private static func failure(_ id: String, user: String) -> [UInt8] {
        Array(
            #"{"specversion":"1.0","id":"\#(id)","source":"idp","type":"auth.login.failed","subject":"\#(user)","data":{}}"#
                .utf8
        )
    }

    /// The `tocsin.alert.raised` events in the stream, read through `node`.
    private static func alerts(_ node: TocsinNode, key: String) async throws -> [JSONValue] {
        let page = try await node.call("/v1/events?type=tocsin.alert.raised&limit=100", key: key)
        guard case .array(let events)? = page.json?["events"] else {
            return []
        }
        return events
    }

    /// How many detection partitions the node named `name` runs, from its metrics.
    private static func partitions(_ node: TocsinNode, _ name: String, key: String) async throws -> Int {
        let text = try await node.call("/metrics", key: key).text
        return Int(PrometheusScrape(text).value("tocsin_cluster_detection_partitions", ["node": name]))
    }

    @Test("Two nodes split the partitions; when one is killed the other takes them over, and the alerts are one node's")
    func partitionFailover() async throws {
        try await NATSTestCluster.with { cluster in
            let directory = try TemporaryDirectory(prefix: "tocsin-nats-detect")
            defer { directory.remove() }
            try FileManager.default.createDirectory(
                atPath: directory.path + "/rules",
                withIntermediateDirectories: true
            )
            let receiver = try await LoopbackReceiver.start()
            try Data(Self.rules(port: receiver.port).utf8)
                .write(to: URL(fileURLWithPath: directory.path + "/rules/detect.yaml"))
            let arguments = ["--rules-dir", directory.path + "/rules", "--allow-target-network", "127.0.0.0/8"]
            try await TocsinNode.withTwo(cluster: cluster, directory: directory.path, arguments: arguments) { a, b in
                do {
                    try await detectAcrossAFailover(a, b, receiver)
                } catch {
                    Issue.record("\(error); a's log: \(a.log.suffix(3000)); b's log: \(b.log.suffix(3000))")
                    throw error
                }
            }
            await receiver.close()
        }
    }

    private func detectAcrossAFailover(_ a: TocsinNode, _ b: TocsinNode, _ receiver: LoopbackReceiver) async throws {
        let key = a.adminKey
        func publish(_ user: String, _ indices: Range<Int>, through nodes: [TocsinNode]) async throws {
            for index in indices {
                let answer = try await nodes[index % nodes.count].call(
                    "/v1/events",
                    method: .POST,
                    key: key,
                    body: Self.failure("\(user)-\(index)", user: user),
                    contentType: "application/cloudevents+json"
                )
                #expect(answer.status == 202, "\(answer.text)")
            }
        }
        // The two nodes split the 16 partitions between them.
        let split = try await holds(within: .seconds(60)) {
            let (onA, onB) = (try await Self.partitions(a, "a", key: key), try await Self.partitions(b, "b", key: key))
            return onA > 0 && onB > 0 && onA + onB == 16
        }
        #expect(split, "\(a.log.suffix(1500)) \(b.log.suffix(1500))")
        // Five failures for each of 8 users through both nodes: one alert per user. Three more
        // failures each for 8 other users are counted, but raise nothing yet.
        let early = (0..<8).map { "early\($0)" }
        let straddling = (0..<8).map { "straddle\($0)" }
        for user in early {
            try await publish(user, 0..<5, through: [a, b])
        }
        for user in straddling {
            try await publish(user, 0..<3, through: [a, b])
        }
        let first = try await eventually(timeout: .seconds(30)) { () -> [JSONValue]? in
            let alerts = try await Self.alerts(a, key: key)
            return alerts.count >= early.count ? alerts : nil
        }
        #expect(first.count == early.count)

        // a is killed; b takes a's partitions over, rebuilding their groups from the stream: the
        // straddling users' last two failures, and five for 8 late users, raise one alert each.
        Foundation.kill(a.process.processIdentifier, SIGKILL)
        let late = (0..<8).map { "late\($0)" }
        for user in straddling {
            try await publish(user, 3..<5, through: [b])
        }
        for user in late {
            try await publish(user, 0..<5, through: [b])
        }
        let expected = early.count + straddling.count + late.count
        let all = try await holds(within: .seconds(90)) {
            try await Self.alerts(b, key: key).count >= expected
        }
        #expect(all, "\(b.log.suffix(3000))")
        #expect(try await Self.partitions(b, "b", key: key) == 16, "b runs every partition")
        // Nothing more comes: no alert is raised twice.
        let more = try await holds(within: .seconds(5)) {
            try await Self.alerts(b, key: key).count > expected
        }
        let alerts = try await Self.alerts(b, key: key)
        #expect(!more && alerts.count == expected, "\(alerts.count)")
        // The alerts are a single node's: one per user, every user.
        let groups = alerts.compactMap { alert -> String? in
            guard case .array(let group)? = alert["event"]?["data"]?["group"], case .object(let member)? = group.first
            else {
                return nil
            }
            return member["value"]?.stringValue
        }
        #expect(groups.sorted() == (early + straddling + late).sorted(), "\(groups)")
        // Every alert reaches the rule's target through the cluster's routing: at least once, since an
        // attempt a killed before acknowledging it is made again by b with the same Idempotency-Key.
        let keys = { Set(receiver.received.compactMap { $0.headers["idempotency-key"] }) }
        #expect(
            try await holds(within: .seconds(60)) { keys().count == expected },
            "\(keys().count) keys in \(receiver.requests) requests"
        )
    }
}
#endif
