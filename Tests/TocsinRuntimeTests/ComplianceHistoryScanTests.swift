// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore

@testable import TocsinRuntime

/// A log whose events have chosen ingest times, paged as the store pages.
struct StubComplianceLog: EventLog, Sendable {
    let events: [LoggedEvent]

    func append(entries: [LogEntry]) async throws -> [AppendReceipt] { [] }
    func event(at sequence: Int64) async throws -> LoggedEvent? { nil }
    func query(_ query: EventQuery) async throws -> EventPage {
        let after = events.filter { $0.sequence > query.after }
        let page = Array(after.prefix(query.limit))
        return EventPage(events: page, nextCursor: after.count > query.limit ? page.last?.sequence : nil)
    }
    func lastSequence() async throws -> Int64 { events.last?.sequence ?? 0 }
    func waitForAppend(after sequence: Int64, timeout: Duration) async {}
}

/// One page of `GET /v1/compliance/scan`: the ingest-time range, where it stops, what it lists.
struct ComplianceHistoryScanTests {
    static let email = "bob.scan@example.com"

    /// Sequence numbers 1...6, ingested at 100, 200, 300, 400, 60,450 and 70,000 ms; the odd
    /// ones hold an email address.
    static let log = StubComplianceLog(
        events: [100, 200, 300, 400, 60_450, 70_000].enumerated().map { offset, ingest in
            let sequence = Int64(offset + 1)
            let contact = sequence % 2 == 1 ? email : "none"
            return LoggedEvent(
                sequence: sequence,
                event: CloudEvent(
                    id: "e\(sequence)",
                    source: "/crm",
                    type: "contact.saved",
                    dataContentType: "application/json",
                    data: .json(Array(#"{"contact":"\#(contact)"}"#.utf8))
                ),
                ingestMilliseconds: Int64(ingest),
                hash: []
            )
        }
    )

    func scan(after: Int64 = 0, from: Int64? = nil, to: Int64? = nil, limit: Int = 100) async throws -> JSONValue {
        try await ComplianceHistoryScan(log: Self.log).scanPage(after: after, from: from, to: to, limit: limit)
    }

    func sequences(_ page: JSONValue) -> [Int64] {
        guard case .array(let events)? = page["events"] else {
            return []
        }
        return events.compactMap { event in
            guard case .number(let number)? = event["seq"] else {
                return nil
            }
            return number.int64Value
        }
    }

    @Test("without a range every event is scanned; findings name the category and the CloudEvent path only")
    func whole() async throws {
        let page = try await scan()
        #expect(sequences(page) == [1, 3, 5])
        #expect(page["scanned"] == .number(JSONNumber(Int64(6))))
        #expect(page["next"] == .null)
        let first = JSONWriter().string(page)
        #expect(!first.contains(Self.email))
        #expect(first.contains(#"{"category":"email","path":"$.data.contact"}"#))
    }

    @Test("events before from and at or after to are skipped; the page stops a minute past to")
    func range() async throws {
        let page = try await scan(from: 200, to: 400)
        #expect(sequences(page) == [3])
        #expect(page["scanned"] == .number(JSONNumber(Int64(2))))
        #expect(page["next"] == .null)
        // 60,450 is past 400 by more than the minute: the scan stops before it, even with more pages.
        let paged = try await scan(from: 200, to: 400, limit: 4)
        #expect(paged["next"] == .number(JSONNumber(Int64(4))))
        let rest = try await scan(after: 4, from: 200, to: 400, limit: 4)
        #expect(rest["next"] == .null)
        #expect(rest["scanned"] == .number(JSONNumber(Int64(0))))
    }

    @Test("a page follows the log's cursor")
    func paging() async throws {
        let first = try await scan(limit: 2)
        #expect(sequences(first) == [1])
        #expect(first["next"] == .number(JSONNumber(Int64(2))))
        let second = try await scan(after: 2, limit: 2)
        #expect(sequences(second) == [3])
    }
}
