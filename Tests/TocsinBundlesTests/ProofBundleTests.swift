// SPDX-License-Identifier: Apache-2.0

import Crypto
import Testing
import TocsinBundles
import TocsinCore
import TocsinResponse

@Suite("Proof bundles")
struct ProofBundleTests {
    @Test("an alert bundle verifies with the node's public key and presents every part")
    func verifies() throws {
        let scenario = try AlertScenario()
        let bundle = try scenario.bundle()
        let report = try ProofBundleVerifier(publicKey: scenario.chain.key.publicKey).verify(bundle.bytes)
        #expect(report.alert?.rule == AlertScenario.rule)
        #expect(report.evidence.map(\.event.id) == ["e1", "e2"])
        #expect(report.rule?.event.type == "tocsin.rule.created")
        #expect(report.actions.map(\.event.type) == ["tocsin.delivery.succeeded"])
        #expect(report.checkpoints.map(\.sequence) == [6, 8])
        // Records between the presented ones travel as 32-byte digests only.
        #expect(bundle.segments.map(\.entries.count) == [6, 2])
        #expect(bundle.presentedRecords.keys.sorted() == [1, 2, 3, 5, 7])
    }

    @Test("a rules-directory rule's bundle carries its Sigma file as the text; another text is refused")
    func loadedRuleText() throws {
        let scenario = try AlertScenario(loadedSigma: true)
        let verifier = ProofBundleVerifier(publicKey: scenario.chain.key.publicKey)
        let report = try verifier.verify(try scenario.bundle().bytes)
        #expect(report.rule?.event.type == "tocsin.rule.loaded")
        #expect(report.bundle.rule?.text == AlertScenario.sigmaFile)
        var forged = scenario.ruleSection
        forged.text = AlertScenario.sigmaFile + "# changed\n"
        forged.sha256 = ProofBundle.Rule.hash(of: forged.text ?? "")
        let bundle = try ProofBundleAssembler(chain: scenario.chain).assemble(
            kind: .alert,
            subject: scenario.alert,
            evidence: scenario.evidence,
            rule: forged,
            actions: [scenario.delivery]
        )
        #expect(throws: BundleError.self) { try verifier.verify(bundle.bytes) }
    }

    @Test("the same bundle has the same bytes, and reading them back gives the same bundle")
    func deterministic() throws {
        let scenario = try AlertScenario()
        let first = try scenario.bundle()
        #expect(try scenario.bundle().bytes == first.bytes)
        #expect(try ProofBundle(bytes: first.bytes) == first)
    }

    @Test("changing any single byte of the file makes verification fail")
    func everyByteMatters() throws {
        let scenario = try AlertScenario()
        let bytes = try scenario.bundle().bytes
        let verifier = ProofBundleVerifier(publicKey: scenario.chain.key.publicKey)
        var accepted: [Int] = []
        // 0x01 turns a digit or hex letter into another; 0x20 changes a letter's case.
        for index in bytes.indices {
            for mask: UInt8 in [0x01, 0x20] {
                var mutated = bytes
                mutated[index] ^= mask
                if (try? verifier.verify(mutated)) != nil {
                    accepted.append(index)
                }
            }
        }
        #expect(accepted.isEmpty, "mutations accepted at byte offsets \(accepted)")
    }

    @Test("a wrong public key fails with bad-signature")
    func wrongKey() throws {
        let bytes = try AlertScenario().bundle().bytes
        let other = Curve25519.Signing.PrivateKey().publicKey
        #expect(throws: BundleError.self) { try ProofBundleVerifier(publicKey: other).verify(bytes) }
        do {
            _ = try ProofBundleVerifier(publicKey: other).verify(bytes)
        } catch {
            #expect(error.code == .badSignature)
            #expect(error.sequence == 6)
        }
    }

    @Test("an altered record is named")
    func alteredRecordNamed() throws {
        let scenario = try AlertScenario()
        var bundle = try scenario.bundle()
        guard case .record(let hash, var canonical) = bundle.segments[0].entries[2] else {
            Issue.record("record 3 is not presented")
            return
        }
        canonical[canonical.count - 3] ^= 0x01
        bundle.segments[0].entries[2] = .record(hash: hash, canonical: canonical)
        let error = try #require(throws: BundleError.self) {
            try ProofBundleVerifier(publicKey: scenario.chain.key.publicKey).verify(bundle.bytes)
        }
        #expect(error.code == .chainMismatch)
        #expect(error.sequence == 3)
    }

    @Test("a claim the records do not support is refused, even in canonical form")
    func unsupportedClaims() throws {
        let scenario = try AlertScenario()
        let verifier = ProofBundleVerifier(publicKey: scenario.chain.key.publicKey)
        var dropped = try scenario.bundle()
        dropped.evidence = [1]
        var text = try scenario.bundle()
        let forged = #"{"pattern":{"type":["other"]}}"#
        text.rule = .init(
            name: AlertScenario.rule,
            sequence: scenario.ruleRecord,
            text: forged,
            sha256: Array(SHA256.hash(data: Array(forged.utf8)))
        )
        var action = try scenario.bundle()
        action.kind = .event
        action.evidence = []
        action.rule = nil
        for bundle in [dropped, text, action] {
            let error = try #require(throws: BundleError.self) { try verifier.verify(bundle.bytes) }
            #expect(error.code == .contentMismatch)
        }
    }

    @Test("an event bundle proves one event and its actions")
    func eventBundle() throws {
        let scenario = try AlertScenario()
        let bundle = try ProofBundleAssembler(chain: scenario.chain).assemble(
            kind: .event,
            subject: scenario.alert,
            evidence: [],
            rule: nil,
            actions: [scenario.delivery]
        )
        let report = try ProofBundleVerifier(publicKey: scenario.chain.key.publicKey).verify(bundle.bytes)
        #expect(report.subject.event.type == "tocsin.alert.raised")
        #expect(report.actions.count == 1)
    }

    @Test("a record after the last checkpoint is named, with what to do")
    func notCheckpointed() throws {
        var scenario = try AlertScenario()
        let late = scenario.chain.append(AlertScenario.event("late", type: "noise", data: "{}"))
        let error = try #require(throws: BundleError.self) {
            try ProofBundleAssembler(chain: scenario.chain).assemble(
                kind: .event,
                subject: late,
                evidence: [],
                rule: nil,
                actions: []
            )
        }
        #expect(error.code == .notCheckpointed)
        #expect(error.sequence == late)
        #expect(error.message.contains("sequence 8"))
    }

    @Test("a log that does not verify yields no bundle")
    func tamperedLog() throws {
        var scenario = try AlertScenario()
        scenario.chain.tamper(4)
        let error = try #require(throws: BundleError.self) { try scenario.bundle() }
        #expect(error.code == .logDoesNotVerify)
        #expect(error.sequence == 4)
    }
}
