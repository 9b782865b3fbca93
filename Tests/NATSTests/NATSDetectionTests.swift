// SPDX-License-Identifier: Apache-2.0

#if NATS
import Foundation
import NIOHTTP1
import Testing
import TocsinCore
import TocsinTesting

/// Detection on a cluster (docs/scale-out.md): two real nodes with one threshold rule on a real
/// 3-node cluster; one node at a time detects, and another takes over when it dies.
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

    @Test("One node detects; when it is killed the other takes over, and each alert is raised once")
    func detectorFailover() async throws {
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
        func publish(_ id: String, user: String, through node: TocsinNode) async throws {
            let answer = try await node.call(
                "/v1/events",
                method: .POST,
                key: key,
                body: Self.failure(id, user: user),
                contentType: "application/cloudevents+json"
            )
            #expect(answer.status == 202, "\(answer.text)")
        }
        // Five failures for alice, through both nodes: one alert.
        for index in 0..<5 {
            try await publish("alice-\(index)", user: "alice", through: index.isMultiple(of: 2) ? a : b)
        }
        let first = try await eventually(timeout: .seconds(30)) { () -> [JSONValue]? in
            let alerts = try await Self.alerts(a, key: key)
            return alerts.isEmpty ? nil : alerts
        }
        #expect(first.count == 1)
        #expect(first.first?["event"]?["data"]?["rule"] == .string("brute-force"))

        // The node that detects is killed; four more for alice and five for bob go through the other.
        let holder = a.log.contains("now runs the cluster's detections") ? a : b
        let survivor = holder === a ? b : a
        #expect(!survivor.log.contains("now runs the cluster's detections"), "one node detects at a time")
        Foundation.kill(holder.process.processIdentifier, SIGKILL)
        for index in 0..<5 {
            try await publish("bob-\(index)", user: "bob", through: survivor)
        }
        let both = try await holds(within: .seconds(60)) {
            try await Self.alerts(survivor, key: key).count >= 2
        }
        #expect(both, "\(survivor.log.suffix(2000))")
        #expect(survivor.log.contains("now runs the cluster's detections"))
        // Nothing more comes: alice's alert is not raised again by the new holder.
        let more = try await holds(within: .seconds(5)) {
            try await Self.alerts(survivor, key: key).count > 2
        }
        let alerts = try await Self.alerts(survivor, key: key)
        #expect(!more && alerts.count == 2, "\(alerts)")
        // Both alerts reach the rule's target through the cluster's routing.
        #expect(try await holds(within: .seconds(30)) { receiver.requests == 2 }, "\(receiver.requests)")
        let groups = alerts.compactMap { $0["event"]?["data"]?["group"].map { JSONWriter().string($0) } }
        #expect(
            groups.count == 2 && groups.contains { $0.contains("alice") }
                && groups.contains { $0.contains("bob") },
            "\(groups)"
        )
    }
}
#endif
