// SPDX-License-Identifier: Apache-2.0

import TocsinCore

/// The findings of a scan over history, by category and by source, and what the policy did at
/// ingest; `tocsin compliance report` renders it with the controls (docs/compliance.md).
public struct ComplianceReport: Sendable, Hashable {
    /// What was found in the events of one source.
    public struct SourceSummary: Sendable, Hashable {
        /// Events from the source.
        public var events = 0
        /// Events from the source with at least one finding.
        public var eventsWithFindings = 0
        /// Findings by category.
        public var findings: [ComplianceCategory: Int] = [:]
    }

    /// Events read.
    public private(set) var events = 0
    /// Bytes of JSON data scanned.
    public private(set) var scannedBytes = 0
    /// Events whose data holds fields sealed by erasure (`tocsin:enc:v1:` envelopes).
    public private(set) var sealedEvents = 0
    /// Events whose data could not be scanned (not JSON as stored).
    public private(set) var unscannable = 0
    /// The first and last ingest times read, in milliseconds since the epoch.
    public private(set) var ingestRange: ClosedRange<Int64>?
    /// Event types seen, with their counts.
    public private(set) var types: [String: Int] = [:]
    /// Summaries by source.
    public private(set) var sources: [String: SourceSummary] = [:]
    /// What the ingest policy did (recorded in the events' enrichment), by action and category.
    public private(set) var ingestActions: [ComplianceAction: [ComplianceCategory: Int]] = [:]

    /// An empty report.
    public init() {}

    /// All findings by category.
    public var findings: [ComplianceCategory: Int] {
        var total: [ComplianceCategory: Int] = [:]
        for summary in sources.values {
            total.merge(summary.findings, uniquingKeysWith: +)
        }
        return total
    }

    /// Adds one stored event.
    ///
    /// - Parameters:
    ///   - source: The event's source.
    ///   - type: The event's type.
    ///   - json: The data's JSON bytes, or `nil` when it has no JSON data.
    ///   - enrichment: The enrichment's JSON bytes, if any; its `compliance` list is counted.
    ///   - ingestMilliseconds: When it was stored.
    ///   - scanner: The scanner to use.
    public mutating func add(
        source: String,
        type: String,
        json: [UInt8]?,
        enrichment: [UInt8]?,
        ingestMilliseconds: Int64,
        scanner: ComplianceScanner = ComplianceScanner()
    ) {
        events += 1
        types[type, default: 0] += 1
        ingestRange =
            ingestRange.map { min($0.lowerBound, ingestMilliseconds)...max($0.upperBound, ingestMilliseconds) }
            ?? ingestMilliseconds...ingestMilliseconds
        var summary = sources[source] ?? SourceSummary()
        summary.events += 1
        if let json {
            scannedBytes += json.count
            if Self.contains(json, Self.envelopePrefix) {
                sealedEvents += 1
            }
            if let found = try? scanner.scan(json: json) {
                if !found.isEmpty {
                    summary.eventsWithFindings += 1
                }
                for finding in found {
                    summary.findings[finding.category, default: 0] += 1
                }
            } else {
                unscannable += 1
            }
        }
        sources[source] = summary
        if let enrichment {
            countIngestActions(enrichment)
        }
    }

    private static let envelopePrefix = Array(FieldEnvelope.prefix.utf8)

    private static func contains(_ bytes: [UInt8], _ needle: [UInt8]) -> Bool {
        guard bytes.count >= needle.count, let first = needle.first else {
            return false
        }
        var index = 0
        while let start = bytes[index...].firstIndex(of: first), start + needle.count <= bytes.count {
            if bytes[start..<start + needle.count].elementsEqual(needle) {
                return true
            }
            index = start + 1
        }
        return false
    }

    private mutating func countIngestActions(_ enrichment: [UInt8]) {
        guard let value = try? JSONParser().parse(enrichment) else {
            return
        }
        for outcome in RecordedComplianceOutcome.outcomes(inEnrichment: value) {
            ingestActions[outcome.action, default: [:]][outcome.category, default: 0] += 1
        }
    }
}
