// SPDX-License-Identifier: Apache-2.0

#if NATS
import Foundation
import Testing
import TocsinCore
import TocsinNATS
import TocsinStore
import TocsinTesting

/// A node that takes over the chain lease with `--checkpoint-witness FILE` checks the chain store
/// against its own witness before it chains anything (docs/scale-out.md, "The hash chain").
@Suite(.serialized, .timeLimit(.minutes(3)))
struct NATSTakeoverTests {
    @Test("a holder takes over a store that holds its witnessed checkpoints, and refuses one rolled back")
    func takeoverChecksTheWitness() async throws {
        try await NATSTestCluster.with { cluster in
            let directory = try TemporaryDirectory(prefix: "tocsin-nats-takeover")
            defer { directory.remove() }
            let witness = directory.path + "/witness.jsonl"
            let data = directory.path + "/data"
            let start = {
                try await TocsinNode.start(
                    name: "w",
                    cluster: cluster,
                    dataDirectory: data,
                    arguments: ["--checkpoint-witness", witness]
                )
            }
            let chainedAll = { (node: TocsinNode) in
                try await holds(within: .seconds(30)) {
                    let metrics = try await node.call("/metrics", key: node.adminKey).text
                    return metrics.contains(#"tocsin_cluster_chain_lease_held{node="w"} 1"#)
                        && metrics.contains(#"tocsin_cluster_chain_unchained_records{node="w"} 0"#)
                }
            }

            // The first run chains five events; its graceful stop signs a final checkpoint, witnessed.
            let first = try await start()
            try await first.stopping { () async throws in
                for index in 0..<5 {
                    #expect(try await first.publish(id: "w-\(index)", key: first.adminKey).status == 202)
                }
                #expect(try await chainedAll(first), "the first run did not chain the stream: \(first.log)")
            }
            let witnessed = try CheckpointWitness.lines(in: witness)
            #expect(!witnessed.isEmpty)

            // Unchanged store: the node takes the lease over again, passes the check and chains on.
            let second = try await start()
            try await second.stopping { () async throws in
                #expect(try await second.publish(id: "w-5", key: second.adminKey).status == 202)
                #expect(try await chainedAll(second), "the node did not chain after the check: \(second.log)")
                #expect(try await second.call("/readyz", key: second.adminKey).status == 200)
            }

            // The chain store purged while no node runs (deleted; the node creates it again, empty).
            let admin = try await cluster.connect(user: "tocsin-admin")
            try await admin.deleteStream("TOCSIN_CHAIN")
            // Every witnessed checkpoint lies past the empty store's end; the first line is named.
            let named = try #require(try CheckpointWitness.lines(in: witness).first)
            let third = try await start()
            try await third.stopping {
                #expect(try await third.publish(id: "w-6", key: third.adminKey).status == 202)
                let refused = try await eventually(timeout: .seconds(30)) { () -> NodeAnswer? in
                    let answer = try await third.call("/readyz", key: third.adminKey)
                    return answer.status == 503 && answer.text.contains("checkpoint witness") ? answer : nil
                }
                let detail = refused.json?["detail"]?.stringValue ?? ""
                #expect(
                    detail.contains("line \(named.number) of this node's checkpoint witness")
                        && detail.contains("sequence \(named.entry.sequence)") && detail.contains("rolled back"),
                    "\(refused.text)"
                )
                let metrics = try await third.call("/metrics", key: third.adminKey).text
                #expect(metrics.contains(#"tocsin_cluster_chain_halted{node="w"} 1"#), "\(metrics)")
                #expect(
                    metrics.contains(#"tocsin_cluster_chain_lease_held{node="w"} 1"#),
                    "it keeps the lease: \(metrics)"
                )
                // Halted before chaining: nothing went into the emptied store.
                #expect(try await admin.streamInfo("TOCSIN_CHAIN").lastSequence == 0)
                #expect(third.log.contains("chain.witness_line=\(named.number)"), "\(third.log)")
            }
            await admin.close()

            // A witness the node cannot read: it does not stand for the lease, and says why.
            let handle = try #require(FileHandle(forWritingAtPath: witness))
            try handle.seekToEnd()
            try handle.write(contentsOf: Array("not a checkpoint\n".utf8))
            try handle.close()
            let fourth = try await start()
            try await fourth.stopping {
                let said = try await holds(within: .seconds(30)) {
                    fourth.log.contains("cannot read this node's checkpoint witness")
                }
                #expect(said, "\(fourth.log)")
                let metrics = try await fourth.call("/metrics", key: fourth.adminKey).text
                #expect(metrics.contains(#"tocsin_cluster_chain_lease_held{node="w"} 0"#), "\(metrics)")
            }
        }
    }
}
#endif
