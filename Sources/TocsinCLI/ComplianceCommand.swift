// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import Foundation
import TocsinCompliance
import TocsinCore

/// `tocsin compliance`: find personal and secret data in events.
struct ComplianceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compliance",
        abstract: "Find personal and secret data (GDPR, CCPA, HIPAA, SOC 2 risks) in events.",
        discussion: """
            The detectors find email addresses, phone numbers, US SSNs, payment card numbers, IBANs, IP \
            addresses, AWS access key ids and secret keys, PEM private keys, JWTs, GitHub and Slack tokens \
            and passwords in URLs, and validate each match (Luhn and issuer ranges, mod-97, SSA ranges, \
            decodable JWT headers) to cut false positives. Findings name the category and the JSON path, \
            never the value. See docs/compliance.md.
            """,
        subcommands: [Scan.self, Report.self]
    )

    /// `tocsin compliance scan`, which reports findings line by line (a file) or event by event (a
    /// server's log).
    struct Scan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Scan a file of JSON events, or a server's log, and print their findings.",
            discussion: """
                With --events, prints one JSON line per input line that has findings, in input order:
                  {"line": 3, "findings": [{"category": "email", "path": "$.data.user"}]}
                Lines are numbered from 1; blank lines are skipped. The matched values are never printed.
                Categories: email, phone, us_ssn, payment_card, iban, ip_address, aws_access_key_id,
                aws_secret_access_key, private_key, jwt, github_token, slack_token, password_in_url.
                A line that is not JSON is reported on standard error by line number and byte offset, the
                scan goes on, and the command exits 1 at the end. With --stats, a summary (lines, bytes,
                findings per category, throughput) goes to standard error.

                Without --events, scans the log of a running server (--server, --key, as other online \
                commands), archived ranges included, through GET /v1/compliance/scan, a page at a time: \
                events ingested in --from..<--to (RFC 3339). Prints one JSON line per event with findings:
                  {"seq": 812, "source": "/hr", "type": "user.changed", "findings": [{"category": "email", "path": "$.data.user"}]}
                The key needs events:read. See docs/compliance.md.
                """
        )

        @Option(
            name: .long,
            help: ArgumentHelp("A file of JSON events, one per line ('-' for standard input).", valueName: "file")
        )
        var events: String?

        @Flag(help: "Print lines or events, bytes, findings per category and throughput to standard error.")
        var stats = false

        @OptionGroup var client: ClientOptions

        @Option(help: "With a server: only events ingested at or after this RFC 3339 time.")
        var from: String?

        @Option(help: "With a server: only events ingested before this RFC 3339 time.")
        var to: String?

        @Option(help: "With a server: start after this sequence number.")
        var after: Int64 = 0

        @Option(help: "With a server: events scanned per request (1-10000).")
        var limit = 1_000

        func validate() throws {
            guard events != nil else {
                return
            }
            let online = [client.server, client.key, from, to].contains { $0 != nil } || after != 0
            guard !online else {
                throw ValidationError(
                    "--events scans a file; --server, --key, --from, --to and --after scan a server's log. Pass one or the other"
                )
            }
        }

        func run() async throws {
            guard let events else {
                try await scanServer()
                return
            }
            try scanFile(events)
        }

        private func scanFile(_ events: String) throws {
            let handle: FileHandle
            if events == "-" {
                handle = FileHandle.standardInput
            } else {
                guard let opened = FileHandle(forReadingAtPath: events) else {
                    throw ValidationError(RecordFileReader.openFailure(events))
                }
                handle = opened
            }
            var scan = LineScan()
            let started = ContinuousClock.now
            var pending: [UInt8] = []
            while true {
                let block = handle.readData(ofLength: 4 * 1024 * 1024)
                if block.isEmpty {
                    break
                }
                pending.append(contentsOf: block)
                let consumed = scan.consumeLines(in: pending)
                pending.removeFirst(consumed)
                scan.flush()
            }
            if !pending.isEmpty {
                pending.append(UInt8(ascii: "\n"))
                _ = scan.consumeLines(in: pending)
            }
            scan.flush()
            if stats {
                scan.printStats(elapsed: ContinuousClock.now - started)
            }
            if scan.malformedLines > 0 {
                throw ExitCode(1)
            }
        }
    }
}

/// The line-by-line state of `tocsin compliance scan --events`.
private struct LineScan {
    private let scanner = ComplianceScanner()
    private let writer = JSONWriter()
    private var output: [UInt8] = []
    private var lineNumber = 0
    private var bytes = 0
    private var counts: [ComplianceCategory: Int] = [:]
    private(set) var malformedLines = 0

    /// Scans every complete line in `buffer`; returns how many bytes that consumed.
    mutating func consumeLines(in buffer: [UInt8]) -> Int {
        var start = 0
        buffer.withUnsafeBufferPointer { all in
            while let newline = all[start...].firstIndex(of: UInt8(ascii: "\n")) {
                lineNumber += 1
                let line = UnsafeBufferPointer(rebasing: all[start..<newline])
                bytes += line.count + 1
                start = newline + 1
                guard line.contains(where: { $0 > UInt8(ascii: " ") }) else {
                    continue
                }
                scanLine(line)
            }
        }
        return start
    }

    private mutating func scanLine(_ line: UnsafeBufferPointer<UInt8>) {
        let findings: [ComplianceFinding]
        do {
            findings = try scanner.scan(json: line)
        } catch {
            malformedLines += 1
            printError("line \(lineNumber): \(error)")
            return
        }
        guard !findings.isEmpty else {
            return
        }
        output.append(contentsOf: Array("{\"line\":\(lineNumber),\"findings\":[".utf8))
        for (offset, finding) in findings.enumerated() {
            counts[finding.category, default: 0] += 1
            if offset > 0 {
                output.append(UInt8(ascii: ","))
            }
            output.append(contentsOf: Array("{\"category\":\"\(finding.category.rawValue)\",\"path\":".utf8))
            writer.writeString(finding.path, to: &output)
            output.append(UInt8(ascii: "}"))
        }
        output.append(contentsOf: Array("]}\n".utf8))
    }

    /// Writes the buffered output lines.
    mutating func flush() {
        FileHandle.standardOutput.write(Data(output))
        output.removeAll(keepingCapacity: true)
    }

    func printStats(elapsed: Duration) {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let megabytes = Double(bytes) / 1_000_000
        let rate = seconds > 0 ? megabytes / seconds : 0
        let perCategory = ComplianceCategory.allCases.compactMap { category in
            counts[category].map { "\(category.rawValue)=\($0)" }
        }
        printError(
            "scanned \(lineNumber) lines, \(bytes) bytes in \(String(format: "%.3f", seconds)) s "
                + "(\(String(format: "%.1f", rate)) MB/s); findings: \(perCategory.joined(separator: " "))"
        )
    }
}
