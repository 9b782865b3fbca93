// SPDX-License-Identifier: Apache-2.0

import TocsinCompliance
import TocsinCore
import TocsinServer

/// `GET /v1/compliance/scan`: the compliance detectors over the stored log, archives included, one
/// bounded page at a time, so a scan of a month never holds more than a page in memory.
///
/// It reads the log as stored (fields sealed by erasure stay ciphertext and are not reported, as
/// in `tocsin compliance report`) and scans each event's JSON `data`; a finding's path is in the
/// CloudEvent (`$.data.user.email`). The range is by ingest time. Ingest times follow sequence
/// numbers up to the order in which concurrent appends took their time, so the page stops at the
/// first event ingested ``settleMilliseconds`` after `to`, and events at or after `to` before it
/// are skipped, not scanned.
struct ComplianceHistoryScan: ComplianceScanning {
    /// How far past `to` the scan reads before it stops.
    static let settleMilliseconds: Int64 = 60_000
    /// The log with its archives mounted (``TocsinStore/HistoryEventLog``).
    let log: any EventLog
    let scanner = ComplianceScanner()

    func scanPage(after: Int64, from: Int64?, to: Int64?, limit: Int) async throws -> JSONValue {
        let page = try await log.query(EventQuery(after: after, limit: limit))
        var listed: [JSONValue] = []
        var scanned: Int64 = 0
        var bytes: Int64 = 0
        var next = page.nextCursor
        for logged in page.events {
            let ingest = logged.ingestMilliseconds
            if let to, ingest >= to + Self.settleMilliseconds {
                next = nil
                break
            }
            guard ingest >= from ?? .min, ingest < to ?? .max else {
                continue
            }
            scanned += 1
            guard case .json(let json) = logged.event.data else {
                continue
            }
            bytes += Int64(json.count)
            let findings = (try? scanner.scan(json: json)) ?? []
            guard !findings.isEmpty else {
                continue
            }
            listed.append(Self.entry(logged, findings))
        }
        return .object(
            JSONObject([
                .init(name: "scanned", value: .number(JSONNumber(scanned))),
                .init(name: "bytes", value: .number(JSONNumber(bytes))),
                .init(name: "events", value: .array(listed)),
                .init(name: "next", value: next.map { .number(JSONNumber($0)) } ?? .null),
            ])
        )
    }

    private static func entry(_ logged: LoggedEvent, _ findings: [ComplianceFinding]) -> JSONValue {
        let described = findings.map { finding in
            JSONValue.object(
                JSONObject([
                    .init(name: "category", value: .string(finding.category.rawValue)),
                    .init(name: "path", value: .string("$.data" + finding.path.dropFirst())),
                ])
            )
        }
        return .object(
            JSONObject([
                .init(name: "seq", value: .number(JSONNumber(logged.sequence))),
                .init(name: "source", value: .string(logged.event.source)),
                .init(name: "type", value: .string(logged.event.type)),
                .init(name: "findings", value: .array(described)),
            ])
        )
    }
}
