// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinBundles
import TocsinCore
import TocsinResponse
import TocsinStore
import TocsinTesting

@Suite("Bundle exporter")
struct BundleExporterTests {
    static let definition = #"{"pattern":{"type":["ssh.login.failed"]},"targets":["pager"]}"#

    /// Writes evidence, the rule's definition, an alert naming the evidence and one delivery event,
    /// with a checkpoint every 3 records; returns the alert's id and sequence number.
    static func populate(_ directory: TemporaryDirectory) async throws -> (id: String, sequence: Int64) {
        try await withRunningStore(
            directory: directory,
            configure: {
                $0.checkpointEveryRecords = 3
                $0.announcesCheckpoints = false
            }
        ) { store, _ in
            let first = try await store.append([EventFixtures.sshFailure(id: "e1")])[0].sequence
            _ = try await store.append([
                CloudEvent(
                    id: "admin-1",
                    source: "/tocsin/admin",
                    type: "tocsin.rule.created",
                    subject: "ssh-bruteforce",
                    data: .json(Array(#"{"name":"ssh-bruteforce","definition":\#(definition),"actor":"ops"}"#.utf8))
                )
            ])
            let second = try await store.append([EventFixtures.sshFailure(id: "e2")])[0].sequence
            let alert = Alert(
                rule: "ssh-bruteforce",
                title: "SSH brute force",
                level: .high,
                kind: .threshold,
                evidence: [first, second],
                count: 2,
                firstEventMilliseconds: 1_796_000_000_000,
                lastEventMilliseconds: 1_796_000_001_000,
                identity: "ssh-bruteforce/203.0.113.9/0"
            )
            let event = alert.event(identifiers: store.identifiers)
            let sequence = try await store.append([event])[0].sequence
            _ = try await store.append([
                CloudEvent(
                    id: "delivery-1",
                    source: "/tocsin/delivery",
                    type: "tocsin.delivery.succeeded",
                    subject: "pager",
                    data: .json(
                        Array(#"{"delivery":1,"event":\#(sequence),"rule":"r","target":"pager","attempt":1}"#.utf8)
                    )
                ),
                EventFixtures.sshFailure(id: "e3"),
            ])
            return (event.id, sequence)
        }
    }

    @Test("an alert exported from a data directory verifies with its node.pub, by id or sequence number")
    func exportsAlert() async throws {
        let directory = try TemporaryDirectory()
        let alert = try await Self.populate(directory)
        let key = try KeyFiles.loadPublicKey(from: directory.path + "/node.pub")
        let exporter = try BundleExporter(dataDirectory: directory.path)
        let bundle = try exporter.export(.alert(alert.id))
        #expect(try exporter.export(.alert(String(alert.sequence))).bytes == bundle.bytes)
        let report = try ProofBundleVerifier(publicKey: key).verify(bundle.bytes)
        #expect(report.evidence.map(\.event.id) == ["e1", "e2"])
        #expect(
            report.bundle.rule == ProofBundle.Rule(name: "ssh-bruteforce", sequence: 2, definition: Self.definition)
        )
        #expect(report.actions.map(\.event.id) == ["delivery-1"])
    }

    @Test("a single event exports with its actions; an unknown alert is named")
    func exportsEvent() async throws {
        let directory = try TemporaryDirectory()
        let alert = try await Self.populate(directory)
        let key = try KeyFiles.loadPublicKey(from: directory.path + "/node.pub")
        let exporter = try BundleExporter(dataDirectory: directory.path)
        let report = try ProofBundleVerifier(publicKey: key).verify(try exporter.export(.event(alert.sequence)).bytes)
        #expect(report.subject.event.id == alert.id)
        #expect(report.actions.count == 1)
        let error = try #require(throws: BundleError.self) { try exporter.export(.alert("alert-unknown")) }
        #expect(error.code == .notFound)
    }
}
