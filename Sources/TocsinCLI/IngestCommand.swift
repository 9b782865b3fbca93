// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import TocsinCore
import TocsinSources

/// `tocsin ingest`: send files of native records to `POST /v1/sources/{format}`.
struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Ingest files of native records (CloudTrail, flow logs, audit logs, syslog…), plain or gzipped.",
        discussion: """
            Each FILE ('-' or none for stdin) may be one record, a JSON array, the provider's wrapper
            ({"Records":[…]}, {"records":[…]}, an EventList), NDJSON, or text lines, plain or gzipped.
            Records are sent in chunks; a refused record is reported on stderr with its file and line
            (or record number) and skipped. Prints the counts of accepted, duplicate and rejected
            records. Exit status: 0 when every record was stored, 1 when any was refused or could
            not be sent. Formats: \(SourceFormat.names).
            """
    )

    @OptionGroup var client: ClientOptions

    @Option(help: "The records' format.") var format: String
    @Option(help: "Records or lines per request.") var chunkRecords = 5000
    @Option(help: "The Kubernetes cluster k8s-audit events come from (their source becomes /k8s/<cluster>/audit).")
    var cluster: String?
    @Flag(help: "Never draw the progress bar (it is drawn only when stderr is a terminal).") var noProgress = false
    @Argument(help: "Files to ingest ('-' for stdin).") var files: [String] = []

    func validate() throws {
        guard SourceFormat(rawValue: format) != nil else {
            throw ValidationError("--format must be one of: \(SourceFormat.names)")
        }
        guard (1...100_000).contains(chunkRecords) else {
            throw ValidationError("--chunk-records must be from 1 to 100000")
        }
        if let cluster {
            guard format == SourceFormat.k8sAudit.rawValue else {
                throw ValidationError("--cluster applies to --format k8s-audit only")
            }
            guard SourceDecoder.isValidCluster(cluster) else {
                throw ValidationError("--cluster must be 1 to 63 of A-Z a-z 0-9 . _ -, starting with a letter or digit")
            }
        }
    }

    func run() async throws {
        let sourceFormat = SourceFormat(rawValue: format) ?? .syslog
        let paths = files.isEmpty ? ["-"] : files
        var progress = IngestProgress(
            totalBytes: paths.reduce(0) { $0 + Self.size(of: $1) },
            draws: !noProgress && isatty(STDERR_FILENO) == 1
        )
        let sender = ChunkSender(api: try client.makeClient(), format: sourceFormat, cluster: cluster)
        var counts = IngestCounts()
        for path in paths {
            let reader = try RecordFileReader(path: path, format: sourceFormat, chunkRecords: chunkRecords)
            while let chunk = try reader.next() {
                counts.add(try await sender.send(chunk, file: path))
                progress.advance(bytes: chunk.fileBytes, records: counts.total)
            }
        }
        progress.finish()
        printLine("accepted \(counts.accepted), duplicates \(counts.duplicates), rejected \(counts.rejected)")
        if counts.rejected > 0 || counts.failedChunks > 0 {
            throw ExitCode(1)
        }
    }

    private static func size(of path: String) -> Int {
        guard path != "-", let attributes = try? FileManager.default.attributesOfItem(atPath: path) else {
            return 0
        }
        return (attributes[.size] as? NSNumber)?.intValue ?? 0
    }
}

/// Running totals over every chunk.
struct IngestCounts {
    var accepted = 0
    var duplicates = 0
    var rejected = 0
    var failedChunks = 0

    var total: Int {
        accepted + duplicates + rejected
    }

    mutating func add(_ other: IngestCounts) {
        accepted += other.accepted
        duplicates += other.duplicates
        rejected += other.rejected
        failedChunks += other.failedChunks
    }
}

/// A progress bar on stderr: bytes read of the total, and records so far.
struct IngestProgress {
    let totalBytes: Int
    let draws: Bool
    private var bytes = 0

    init(totalBytes: Int, draws: Bool) {
        self.totalBytes = totalBytes
        self.draws = draws
    }

    mutating func advance(bytes read: Int, records: Int) {
        bytes += read
        guard draws else {
            return
        }
        let fraction = totalBytes > 0 ? min(1, Double(bytes) / Double(totalBytes)) : 0
        let filled = Int(fraction * 30)
        let bar = String(repeating: "=", count: filled) + String(repeating: " ", count: 30 - filled)
        let megabytes = String(format: "%.1f/%.1f MB", Double(bytes) / 1_048_576, Double(totalBytes) / 1_048_576)
        FileHandle.standardError.write(Data("\r[\(bar)] \(Int(fraction * 100))% \(megabytes) \(records) records".utf8))
    }

    func finish() {
        if draws {
            FileHandle.standardError.write(Data("\n".utf8))
        }
    }
}
