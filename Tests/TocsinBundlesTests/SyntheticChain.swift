// SPDX-License-Identifier: Apache-2.0

import Crypto
import TocsinBundles
import TocsinCore
import TocsinResponse

/// An in-memory log built with the real hash-chain arithmetic and checkpoints signed with a fresh
/// Ed25519 key: what a bundle is cut from in the pure tests.
struct SyntheticChain: ChainReading {
    let key = Curve25519.Signing.PrivateKey()
    private(set) var records: [ChainRecord] = []
    private(set) var checkpoints: [ProofBundle.Checkpoint] = []

    var head: [UInt8] {
        records.last?.hash ?? HashChain.genesis
    }

    /// Appends `event`; returns its sequence number.
    @discardableResult
    mutating func append(_ event: CloudEvent) -> Int64 {
        let sequence = Int64(records.count + 1)
        let canonical = HashChain.canonicalBytes(
            attributes: JSONWriter().bytes(.object(event.attributes)),
            dataKind: HashChain.dataKind(event.data),
            data: HashChain.dataBytes(event.data),
            ingestMilliseconds: 1_796_000_000_000 + sequence
        )
        let hash = HashChain.link(previous: head, digest: HashChain.digest(canonical: canonical))
        records.append(ChainRecord(sequence: sequence, canonical: canonical, previousHash: head, hash: hash))
        return sequence
    }

    /// Signs a checkpoint at the head.
    mutating func sign() throws {
        let sequence = Int64(records.count)
        let message = HashChain.checkpointMessage(sequence: sequence, hash: head)
        checkpoints.append(
            ProofBundle.Checkpoint(sequence: sequence, hash: head, signature: Array(try key.signature(for: message)))
        )
    }

    /// Replaces the canonical bytes of a stored record without fixing the chain (tampering).
    mutating func tamper(_ sequence: Int64) {
        records[Int(sequence - 1)].canonical[20] ^= 0x01
    }

    func forEachRecord(
        from first: Int64,
        through last: Int64,
        _ body: (ChainRecord) throws(BundleError) -> Void
    ) throws {
        for record in records where record.sequence >= first && record.sequence <= last {
            try body(record)
        }
    }

    func checkpoint(coveringSequence sequence: Int64) throws -> ProofBundle.Checkpoint? {
        checkpoints.first { $0.sequence >= sequence }
    }

    func lastCheckpoint() throws -> ProofBundle.Checkpoint? {
        checkpoints.last
    }
}

/// Fixed ids for alert events.
struct FixedIdentifiers: EventIdentifierDeriving {
    func derived(_ kind: String, _ parts: [String]) -> String {
        "\(kind)-" + parts.joined(separator: "-")
    }
}

/// A small log with an alert, its evidence, its rule's definition and one delivery.
struct AlertScenario {
    static let rule = "ssh-bruteforce"
    static let definition = #"{"pattern":{"type":["ssh.login.failed"]},"targets":["pager"]}"#
    /// A Sigma file as a rules-directory load records it.
    static let sigmaFile =
        "title: SSH brute force\nid: ssh-bruteforce\ndetection:\n  sel: {user: root}\n  condition: sel\n"

    /// Whether the rule came from the rules directory (a Sigma file) rather than the API.
    let loadedSigma: Bool
    var chain = SyntheticChain()
    var evidence: [Int64] = []
    var ruleRecord: Int64 = 0
    var alert: Int64 = 0
    var delivery: Int64 = 0

    init(loadedSigma: Bool = false) throws {
        self.loadedSigma = loadedSigma
        evidence.append(chain.append(Self.event("e1", type: "ssh.login.failed", data: #"{"user":"root"}"#)))
        ruleRecord = chain.append(
            loadedSigma
                ? CloudEvent(
                    id: "config-1",
                    source: "/tocsin/config",
                    type: "tocsin.rule.loaded",
                    subject: Self.rule,
                    data: .json(
                        Array(
                            (#"{"name":"ssh-bruteforce","file":"rules/ssh.yml","definition":"#
                                + JSONWriter().string(.string(Self.sigmaFile)) + #","actor":"rules-directory"}"#).utf8
                        )
                    )
                )
                : CloudEvent(
                    id: "admin-1",
                    source: "/tocsin/admin",
                    type: "tocsin.rule.created",
                    subject: Self.rule,
                    data: .json(
                        Array(#"{"name":"ssh-bruteforce","definition":\#(Self.definition),"actor":"ops"}"#.utf8)
                    )
                )
        )
        evidence.append(chain.append(Self.event("e2", type: "ssh.login.failed", data: #"{"user":"admin"}"#)))
        chain.append(Self.event("n1", type: "noise", data: #"{"n":1}"#))
        let raised = Alert(
            rule: Self.rule,
            title: "SSH brute force",
            level: .high,
            kind: .threshold,
            evidence: evidence,
            count: 2,
            firstEventMilliseconds: 1_796_000_000_000,
            lastEventMilliseconds: 1_796_000_001_000,
            identity: "ssh-bruteforce/10.0.0.1/0"
        )
        alert = chain.append(raised.event(identifiers: FixedIdentifiers()))
        chain.append(Self.event("n2", type: "noise", data: #"{"n":2}"#))
        try chain.sign()
        delivery = chain.append(
            CloudEvent(
                id: "delivery-1",
                source: "/tocsin/delivery",
                type: "tocsin.delivery.succeeded",
                subject: "pager",
                data: .json(Array(#"{"delivery":1,"event":\#(alert),"rule":"r","target":"pager","attempt":1}"#.utf8))
            )
        )
        chain.append(Self.event("n3", type: "noise", data: #"{"n":3}"#))
        try chain.sign()
    }

    var ruleSection: ProofBundle.Rule {
        let text = loadedSigma ? Self.sigmaFile : Self.definition
        return ProofBundle.Rule(
            name: Self.rule,
            sequence: ruleRecord,
            text: text,
            sha256: Array(SHA256.hash(data: Array(text.utf8)))
        )
    }

    func bundle() throws -> ProofBundle {
        try ProofBundleAssembler(chain: chain).assemble(
            kind: .alert,
            subject: alert,
            evidence: evidence,
            rule: ruleSection,
            actions: [delivery]
        )
    }

    static func event(_ id: String, type: String, data: String) -> CloudEvent {
        CloudEvent(id: id, source: "/hosts/web-1", type: type, data: .json(Array(data.utf8)))
    }
}
