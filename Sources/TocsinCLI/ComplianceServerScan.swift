// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import Foundation
import TocsinCore

extension ComplianceCommand.Scan {
    /// Scans a server's log through `GET /v1/compliance/scan`, page after page, printing each
    /// page's events with findings as they come: only one page is ever held.
    func scanServer() async throws {
        let bounds = try [("--from", from), ("--to", to)].map { flag, text -> String? in
            guard let text else {
                return nil
            }
            guard Timestamp(rfc3339: text) != nil else {
                throw ValidationError("\(flag) must be an RFC 3339 time such as 2026-11-01T00:00:00Z")
            }
            return text
        }
        guard (1...10_000).contains(limit) else {
            throw ValidationError("--limit must be from 1 to 10000")
        }
        let api = try client.makeClient()
        let writer = JSONWriter()
        var totals = ServerScanTotals()
        let started = ContinuousClock.now
        var cursor = after
        while true {
            let query = queryString([
                ("after", String(cursor)), ("limit", String(limit)), ("from", bounds[0]), ("to", bounds[1]),
            ])
            let page: JSONValue
            do {
                page = try await api.send(api.makeRequest("/v1/compliance/scan" + query))
            } catch {
                printError("\(error)")
                throw ExitCode(1)
            }
            var output = ""
            if case .array(let events) = page["events"] {
                for event in events {
                    totals.count(event)
                    output += writer.string(event) + "\n"
                }
            }
            FileHandle.standardOutput.write(Data(output.utf8))
            totals.scanned += page["scanned"].flatMap(\.int64) ?? 0
            totals.bytes += page["bytes"].flatMap(\.int64) ?? 0
            guard let next = page["next"].flatMap(\.int64) else {
                break
            }
            cursor = next
        }
        if stats {
            printError(totals.summary(elapsed: ContinuousClock.now - started))
        }
    }
}

/// What a server scan saw, for `--stats`.
private struct ServerScanTotals {
    var scanned: Int64 = 0
    var bytes: Int64 = 0
    var eventsWithFindings = 0
    var categories: [String: Int] = [:]

    mutating func count(_ event: JSONValue) {
        eventsWithFindings += 1
        guard case .array(let findings)? = event["findings"] else {
            return
        }
        for finding in findings {
            if case .string(let category)? = finding["category"] {
                categories[category, default: 0] += 1
            }
        }
    }

    func summary(elapsed: Duration) -> String {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let perCategory = categories.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        return "scanned \(scanned) events, \(bytes) bytes of data in \(String(format: "%.3f", seconds)) s; "
            + "\(eventsWithFindings) with findings: \(perCategory.joined(separator: " "))"
    }
}

extension JSONValue {
    /// The value as a whole number, when it is one.
    fileprivate var int64: Int64? {
        guard case .number(let number) = self else {
            return nil
        }
        return number.int64Value
    }
}
