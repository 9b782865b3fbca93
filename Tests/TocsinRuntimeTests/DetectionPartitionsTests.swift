// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing
import TocsinActions
import TocsinCluster
import TocsinConfig
import TocsinCore
import TocsinResponse
import TocsinStore
import TocsinTesting

@testable import TocsinRuntime

/// Detection split by group key over partitions (`DetectionPartitions`): whatever nodes own the
/// partitions, their alerts together are a single node's on the same input, and a partition that
/// moves to another reader raises only what its previous owner had not recorded.
struct DetectionPartitionsTests {
    /// Every kind of state a partition holds: thresholds, closing windows (`lt`), value counts, a
    /// correlation chain, absences, and a Sigma rule's own alerts.
    static let rules = """
        rules:
          failures:
            pattern: {type: [aws.cloudtrail.ConsoleLogin]}
            threshold: {count: 3, within_seconds: 60, group_by: [$.data.userIdentity.userName], allowed_lateness_seconds: 20}
            targets: []
          heartbeat:
            pattern: {type: [heartbeat]}
            absence: {within_seconds: 120, group_by: [$.data.host], allowed_lateness_seconds: 0}
            targets: []
        """

    static let sigma = """
        title: Console login failed
        id: failed-login
        logsource: {product: aws, service: cloudtrail}
        detection:
          selection: {eventName: ConsoleLogin, errorMessage: Failed authentication}
          condition: selection
        ---
        title: Root console login
        id: root-login
        level: high
        logsource: {product: aws, service: cloudtrail}
        detection:
          selection: {eventName: ConsoleLogin, userIdentity.type: Root}
          condition: selection
        ---
        title: Two failures within two minutes
        name: burst
        correlation: {type: event_count, rules: [failed-login], group-by: [userIdentity.userName], timespan: 2m, condition: {gte: 2}}
        ---
        title: Two bursts within ten minutes
        id: repeated-bursts
        correlation: {type: event_count, rules: [burst], group-by: [userIdentity.userName], timespan: 10m, condition: {gte: 2}}
        ---
        title: A lone failure in five minutes
        id: lone-failure
        correlation: {type: event_count, rules: [failed-login], group-by: [userIdentity.userName], timespan: 5m, condition: {lt: 2}}
        ---
        title: Logins from three addresses
        id: many-addresses
        correlation:
          type: value_count
          rules: [failed-login]
          group-by: [userIdentity.userName]
          timespan: 10m
          condition: {gte: 3, field: sourceIPAddress}
        """

    static func table() throws -> DetectionTable {
        let directory = ConfigDirectory(
            files: [(name: "rules.yaml", text: rules), (name: "sigma.yml", text: sigma)],
            kinds: ActionRegistry.targetKinds
        )
        #expect(directory.diagnostics.isEmpty, "\(directory.diagnostics)")
        return DetectionTable(rules: directory.rules, sigma: directory.sigma)
    }

    /// 600 events over about three hours, from a seeded generator: failed and root logins of 15
    /// users from 4 addresses, heartbeats of 6 hosts (2 of which stop), some up to 30 s late.
    static func events(seed: UInt64) -> [LoggedEvent] {
        var random = SeededRandom(seed: seed)
        var time: Int64 = 1_795_000_000_000
        return (1...600).map { sequence in
            time += Int64.random(in: 1_000...20_000, using: &random)
            let eventTime = Bool.random(using: &random) ? time : time - Int64.random(in: 0...30_000, using: &random)
            let data: String
            let type: String
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<6:
                let user = "user\(Int.random(in: 0..<15, using: &random))"
                let address = "203.0.113.\(Int.random(in: 1...4, using: &random))"
                type = "aws.cloudtrail.ConsoleLogin"
                data =
                    #"{"eventName": "ConsoleLogin", "errorMessage": "Failed authentication", "sourceIPAddress": "\#(address)", "userIdentity": {"type": "IAMUser", "userName": "\#(user)"}}"#
            case 6:
                type = "aws.cloudtrail.ConsoleLogin"
                data = #"{"eventName": "ConsoleLogin", "userIdentity": {"type": "Root", "userName": "root"}}"#
            default:
                let hosts = sequence < 300 ? 6 : 4
                type = "heartbeat"
                data = #"{"host": "host-\#(Int.random(in: 0..<hosts, using: &random))"}"#
            }
            return LoggedEvent(
                sequence: Int64(sequence),
                event: CloudEvent(
                    id: "e\(sequence)",
                    source: "/aws/cloudtrail/eu-west-1",
                    type: type,
                    time: Timestamp(epochMilliseconds: eventTime),
                    data: .json(Array(data.utf8))
                ),
                ingestMilliseconds: time,
                hash: []
            )
        }
    }

    /// The alerts of readers that own `owners` of `count` partitions, each replaying silently
    /// through `silentThrough` first, read as their identities and evidence.
    static func alerts(
        _ events: [LoggedEvent],
        count: Int,
        owners: [[Int]],
        silentThrough: Int64? = nil,
        table: DetectionTable
    ) throws -> [String] {
        let identifiers = EventIdentifiers(sharedSecret: Array(repeating: 7, count: 32))
        var found: [String] = []
        for owned in owners {
            var partitions = try DetectionPartitions(table: table, map: PartitionMap(count: count), owning: owned)
            if let silentThrough {
                for partition in owned {
                    partitions.beginReplay(partition: partition, through: silentThrough)
                }
            }
            var runner = DetectionRunner(partitions: partitions)
            for logged in events {
                for event in runner.process(logged, identifiers: identifiers) {
                    let alert = try TocsinResponse.Alert(event: event)
                    found.append("\(event.id) \(alert.rule) \(alert.group.map(\.value)) \(alert.evidence)")
                }
            }
        }
        return found.sorted()
    }

    @Test(
        arguments: [
            (8, [[0, 2, 4, 6], [1, 3, 5, 7]]),
            (8, [[0], [1, 2], [3, 4, 5], [6, 7]]),
            (16, [Array(0..<16)]),
            (3, [[2], [0], [1]]),
        ] as [(Int, [[Int]])]
    )
    func partitionsTogetherRaiseWhatOneNodeRaises(count: Int, owners: [[Int]]) throws {
        let table = try Self.table()
        for seed: UInt64 in [1, 2, 3] {
            let events = Self.events(seed: seed)
            let single = try Self.alerts(events, count: 1, owners: [[0]], table: table)
            let rules = Set(single.map { $0.split(separator: " ")[1] })
            #expect(
                rules == ["failures", "heartbeat", "root-login", "repeated-bursts", "lone-failure", "many-addresses"],
                "every kind of state raises alerts in the input (seed \(seed))"
            )
            #expect(try Self.alerts(events, count: count, owners: owners, table: table) == single, "seed \(seed)")
        }
    }

    @Test func eachAlertIsRaisedByOnePartition() throws {
        let table = try Self.table()
        let events = Self.events(seed: 4)
        let owners = (0..<8).map { [$0] }
        let alerts = try Self.alerts(events, count: 8, owners: owners, table: table)
        #expect(Set(alerts).count == alerts.count)
        let perPartition = try owners.map { try Self.alerts(events, count: 8, owners: [$0], table: table).count }
        #expect(perPartition.filter { $0 > 0 }.count > 4, "the alerts are spread over the partitions: \(perPartition)")
    }

    @Test func aMovedPartitionRaisesOnlyWhatItsOwnerHadNotRecorded() throws {
        let table = try Self.table()
        let events = Self.events(seed: 5)
        let single = try Self.alerts(events, count: 1, owners: [[0]], table: table)
        // The partitions' new owners replay silently through the cursor the old ones saved (sequence 300).
        let before = try Self.alerts(Array(events.prefix(300)), count: 4, owners: [[0, 1, 2, 3]], table: table)
        let after = try Self.alerts(events, count: 4, owners: [[0, 3], [1, 2]], silentThrough: 300, table: table)
        #expect(!before.isEmpty && !after.isEmpty)
        #expect((before + after).sorted() == single)
    }

    @Test func chainedCorrelationsShareOnePartition() throws {
        let table = try Self.table()
        let partitions = try DetectionPartitions(table: table, map: PartitionMap(count: 64), owning: 0..<64)
        let bursts = table.rules.indices.filter { ["burst", "repeated-bursts"].contains(table.sources[$0].name) }
        #expect(bursts.count == 2)
        let placed = Set(
            bursts.flatMap { rule in
                ["alice", "bob", "carol", "dave"].map { partitions.partition(of: .init(rule: rule, group: [$0])) }
            }
        )
        #expect(placed.count == 1, "a chain's alerts feed its parent, so its groups stay in one partition")
        let failures = table.rules.indices.first { table.sources[$0].name == "failures" }!
        let spread = Set(
            ["alice", "bob", "carol", "dave", "erin"].map {
                partitions.partition(of: .init(rule: failures, group: [$0]))
            }
        )
        #expect(spread.count > 1, "an unchained rule's groups spread over the partitions")
    }
}
