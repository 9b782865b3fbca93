// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import Foundation
import TocsinCompliance
import TocsinCore
import TocsinStore

extension ComplianceCommand {
    /// `tocsin compliance report`, a control report over a data directory's log.
    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a GDPR / CCPA / HIPAA / SOC 2 control report over a data directory's log.",
            discussion: """
                Reads the log of --data-dir read-only (a running server may keep writing), scans every \
                event's JSON data with the detectors and states what is logged, the findings by category \
                and by source, what the ingest compliance policy did (from the events' enrichment), and \
                the state of encryption, erasure, integrity, access control and retention, each mapped \
                to the articles and criteria it serves. Values are never printed. Fields sealed by \
                erasure are ciphertext in the log, so they are not reported. See docs/compliance.md.
                """
        )

        /// The report's formats.
        enum Format: String, ExpressibleByArgument, CaseIterable {
            case md
            case json
        }

        @Option(name: .customLong("data-dir"), help: "Data directory (env TOCSIN_DATA_DIR; default ./tocsin-data).")
        var dataDirectory: String?

        @Option(help: "Markdown (md) or JSON (json).")
        var format: Format = .md

        @Option(help: "Only events ingested at or after this RFC 3339 time.")
        var from: String?

        @Option(help: "Only events ingested before this RFC 3339 time.")
        var to: String?

        func run() throws {
            let bounds = try [("--from", from), ("--to", to)].map { flag, text -> Int64? in
                guard let text else {
                    return nil
                }
                guard let time = Timestamp(rfc3339: text) else {
                    throw ValidationError("\(flag) must be an RFC 3339 time such as 2026-11-01T00:00:00Z")
                }
                return time.epochMilliseconds
            }
            let directory = dataDirectory ?? Environment.value("TOCSIN_DATA_DIR") ?? "./tocsin-data"
            var report = ComplianceReport()
            let scanner = ComplianceScanner()
            let controls = try ComplianceHistory(dataDirectory: directory).read(from: bounds[0], to: bounds[1]) {
                report.add(
                    source: $0.source,
                    type: $0.type,
                    json: $0.json,
                    enrichment: $0.enrichment,
                    ingestMilliseconds: $0.ingestMilliseconds,
                    scanner: scanner
                )
            }
            let rendering = ComplianceReportRendering(report: report, controls: controls)
            switch format {
            case .md:
                print(rendering.markdown(), terminator: "")
            case .json:
                print(JSONWriter().string(rendering.json()))
            }
        }
    }
}
