// SPDX-License-Identifier: Apache-2.0

#if NATS
import Foundation
import Testing
import TocsinStore
import TocsinTesting

/// `serve --backend nats --checkpoint-witness FILE`: the chain holder appends each cluster checkpoint
/// it signs to its own witness file, and `audit verify --backend nats --witness FILE` holds the chain
/// to every line (docs/scale-out.md).
@Suite(.serialized)
struct NATSWitnessTests {
    @Test(
        "the chain holder witnesses its checkpoints; verify passes with the file and names a rolled-back or rewritten one"
    )
    func witnessedCheckpoints() async throws {
        try await NATSTestCluster.with { cluster in
            let directory = try TemporaryDirectory(prefix: "tocsin-nats-witness")
            defer { directory.remove() }
            let witness = directory.path + "/witness.jsonl"
            let data = directory.path + "/data"
            let node = try await TocsinNode.start(
                name: "w",
                cluster: cluster,
                dataDirectory: data,
                arguments: ["--checkpoint-witness", witness]
            )
            for index in 0..<5 {
                #expect(try await node.publish(id: "w-\(index)", key: node.adminKey).status == 202)
            }
            // Once everything is chained, a graceful stop signs a final checkpoint over it.
            let chained = try await holds(within: .seconds(30)) {
                let metrics = try await node.call("/metrics", key: node.adminKey).text
                return metrics.contains(#"tocsin_cluster_chain_lease_held{node="w"} 1"#)
                    && metrics.contains(#"tocsin_cluster_chain_unchained_records{node="w"} 0"#)
            }
            #expect(chained, "the node did not chain the stream")
            await node.stop()
            let lines = try CheckpointWitness.lines(in: witness)
            let last = try #require(lines.last?.entry)
            #expect(last.sequence >= 5)

            let verify = { (file: String) in
                try await runProgram(
                    TocsinExecutable.path,
                    ["audit", "verify", "--backend", "nats", "--nats-url", cluster.urls.joined(separator: ",")]
                        + cluster.credentialArguments + ["--signer-key", data + "/node.pub", "--witness", file]
                )
            }
            let passed = try await verify(witness)
            #expect(passed.status == 0, "\(passed.output)\(passed.errors)")
            #expect(passed.output.contains("Witness: \(lines.count) witnessed checkpoints match the chain."))

            var rewritten = last
            rewritten.hash = Array(repeating: 7, count: 32)
            let rewrittenFile = directory.path + "/rewritten.jsonl"
            try (lines.map(\.entry.line).joined() + rewritten.line).write(
                toFile: rewrittenFile,
                atomically: true,
                encoding: .utf8
            )
            let mismatch = try await verify(rewrittenFile)
            #expect(mismatch.status == 1)
            #expect(
                mismatch.output.contains("FAILED at sequence \(last.sequence): witness-mismatch"),
                "\(mismatch.output)"
            )

            var beyond = last
            beyond.sequence += 1_000
            let beyondFile = directory.path + "/beyond.jsonl"
            try (lines.map(\.entry.line).joined() + beyond.line).write(
                toFile: beyondFile,
                atomically: true,
                encoding: .utf8
            )
            let rolledBack = try await verify(beyondFile)
            #expect(rolledBack.status == 1)
            #expect(rolledBack.output.contains("witness-missing"), "\(rolledBack.output)")
            #expect(rolledBack.output.contains("the chain store was rolled back"), "\(rolledBack.output)")
        }
    }
}
#endif
