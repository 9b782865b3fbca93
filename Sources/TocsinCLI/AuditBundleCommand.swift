// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import Foundation
import TocsinBundles
import TocsinCore
import TocsinStore

/// `tocsin audit bundle` and `tocsin audit verify-bundle`: proof bundles (docs/bundles.md).
enum AuditBundleCommands {
    /// The subcommands `tocsin audit` lists after `verify`.
    static let all: [any ParsableCommand.Type] = [Export.self, Verify.self]

    /// `tocsin audit bundle`: export one alert or event with its proofs.
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "bundle",
            abstract: "Export an alert or an event with the hash-chain proofs that make it verifiable offline.",
            discussion: """
                Writes one self-contained file (docs/bundles.md). For --alert: the tocsin.alert.raised
                event, every evidence event it names, the rule as the log recorded it before the alert
                (the definition's text and SHA-256 for a rule defined through the API; the
                tocsin.config.reloaded event that loaded it for a rule from the rules directory, whose
                text the log does not hold), and the tocsin.delivery.* events of the actions taken for
                it. For --event: the event and its actions. Each record is proven up to the first signed
                checkpoint after it: full bytes for the records shown, 32-byte digests for those in
                between. Anyone with the node's public key checks it with 'tocsin audit verify-bundle'.

                Reads the data directory directly, with writes refused, so it works beside a running
                server; exporting evidence therefore needs read access to the data directory (the
                bundle holds the events' payloads as stored). Exits 0 when the file is written, 1 when
                the alert or event is not in the log, a record lies after the last signed checkpoint
                (the server signs one every --checkpoint-seconds, default 60: run it again after the
                next), or the log does not verify where the bundle needs it, and 2 when the data
                directory or the output file cannot be used.
                """
        )

        @Option(help: "The alert: its id (alert-…) or its event's sequence number.")
        var alert: String?

        @Option(help: "A single event's sequence number.")
        var event: Int64?

        @Option(name: [.customShort("o"), .customLong("output-file")], help: "Where to write the bundle.")
        var outputFile: String

        @Option(name: .customLong("data-dir"), help: "Data directory (env TOCSIN_DATA_DIR; default ./tocsin-data).")
        var dataDirectory: String?

        func validate() throws {
            guard (alert == nil) != (event == nil) else {
                throw ValidationError("pass exactly one of --alert ID and --event SEQ")
            }
            if let event, event < 1 {
                throw ValidationError("--event must be a sequence number (1 or more)")
            }
        }

        func run() async throws {
            let directory = dataDirectory ?? Environment.value("TOCSIN_DATA_DIR") ?? "./tocsin-data"
            let subject: BundleExporter.Subject = alert.map { .alert($0) } ?? .event(event ?? 0)
            let bundle: ProofBundle
            do {
                bundle = try BundleExporter(dataDirectory: directory).export(subject)
            } catch let error as BundleError {
                printError("error: \(error)")
                throw ExitCode(1)
            } catch {
                printError("error: \(error)")
                throw ExitCode(2)
            }
            // Checked before writing, with the node's own key: a bundle that would not verify is never handed out.
            let publicKey = directory + "/" + KeyFiles.nodePublicKeyName
            do {
                _ = try ProofBundleVerifier(publicKey: try KeyFiles.loadPublicKey(from: publicKey)).verify(bundle.bytes)
            } catch let error as BundleError {
                printError("error: the bundle does not verify with \(publicKey): \(error)")
                throw ExitCode(1)
            } catch {
                printError("error: \(error)")
                throw ExitCode(2)
            }
            guard FileManager.default.createFile(atPath: outputFile, contents: Data(bundle.bytes)) else {
                printError("error: cannot write \(outputFile); check the directory and its permissions")
                throw ExitCode(2)
            }
            let shown = bundle.presentedRecords.count
            let checkpoints = bundle.segments.map { String($0.checkpoint.sequence) }.joined(separator: ", ")
            print(
                "Wrote \(outputFile): \(bundle.kind.rawValue) record \(bundle.subject), \(shown) records shown, "
                    + "proven up to the signed checkpoint\(bundle.segments.count == 1 ? "" : "s") at \(checkpoints)."
            )
        }
    }

    /// `tocsin audit verify-bundle FILE --public-key F`.
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify-bundle",
            abstract: "Verify a proof bundle offline, with only the node's public key.",
            discussion: """
                Recomputes every record's digest from its bytes and every link up to each signed
                checkpoint, checks each checkpoint's Ed25519 signature with --public-key, then checks
                what the bundle claims against the proven records: the alert and its exact evidence, the
                rule's text and SHA-256, and that every action names the alert or event. Exits 0 and
                prints what was proven; exits 1 naming the first failure (malformed, unsupported,
                chain-mismatch, bad-signature or content-mismatch, with the record, segment or JSON
                path); exits 2 when the file or the key cannot be read. Use a copy of node.pub obtained
                from the node's operator, not one shipped beside the bundle.
                """
        )

        @Argument(help: "The bundle file.")
        var file: String

        @Option(help: "The node's public key file (node.pub: hex Ed25519).")
        var publicKey: String

        @Option(help: "Output format: text or json.")
        var output: OutputFormat = .text

        func run() async throws {
            let bytes: [UInt8]
            let verifier: ProofBundleVerifier
            do {
                verifier = ProofBundleVerifier(publicKey: try KeyFiles.loadPublicKey(from: publicKey))
                guard let data = FileManager.default.contents(atPath: file) else {
                    throw ValidationError("cannot read \(file); check the path and its permissions")
                }
                bytes = Array(data)
            } catch {
                printError("error: \(error)")
                throw ExitCode(2)
            }
            do {
                let report = try verifier.verify(bytes)
                print(output == .json ? JSONWriter().string(BundleSummary.json(report)) : BundleSummary.text(report))
            } catch {
                if output == .json {
                    print(JSONWriter().string(BundleSummary.json(error)))
                } else {
                    print("FAILED: \(error)")
                }
                throw ExitCode(1)
            }
        }
    }
}
