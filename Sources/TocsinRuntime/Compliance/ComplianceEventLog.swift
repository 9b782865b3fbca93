// SPDX-License-Identifier: Apache-2.0

import Crypto
import TocsinCompliance
import TocsinCore
import TocsinStore

/// The log as ingestion sees it under a compliance policy (docs/compliance.md): before the append,
/// the detectors scan each entry's JSON data and the policy reports, masks, hashes or drops what
/// they found, or rejects the whole append with a ``ComplianceRejection``.
///
/// It runs after enrichment and before personal fields are sealed, so the detectors see the
/// plaintext. Findings the policy kept or changed are recorded in the entry's enrichment, under
/// `compliance`, one string each (`"<action> <category> <path>"`, ``RecordedComplianceOutcome``;
/// never the value); they are part of the hashed record. Events without JSON data, data in which
/// nothing is found and data whose findings are only reported are stored byte for byte; only data
/// the policy changes or rejects is parsed.
struct ComplianceEventLog: EventLog {
    let base: any EventLog
    let policy: CompliancePolicy
    let hashKey: SymmetricKey
    let scanner = ComplianceScanner()

    func append(entries: [LogEntry]) async throws -> [AppendReceipt] {
        var checked: [LogEntry] = []
        checked.reserveCapacity(entries.count)
        for (index, entry) in entries.enumerated() {
            checked.append(try check(entry, index: index))
        }
        return try await base.append(entries: checked)
    }

    /// `entry` after the policy, or a ``ComplianceRejection`` naming the entry at `index`.
    func check(_ entry: LogEntry, index: Int) throws -> LogEntry {
        guard case .json(let bytes)? = entry.event.data,
            let found = try? scanner.scan(json: bytes), !found.isEmpty
        else {
            return entry
        }
        if let outcomes = policy.reportedOutcomes(of: found, source: entry.event.source, type: entry.event.type) {
            // Nothing changes: the scan's findings are the record, without parsing the data.
            var checked = entry
            checked.enrichment = Self.recording(outcomes, in: entry.enrichment)
            return checked
        }
        guard let data = try? JSONParser().parse(bytes) else {
            return entry
        }
        switch policy.apply(to: data, source: entry.event.source, type: entry.event.type, hashKey: hashKey) {
        case .reject(let finding):
            throw ComplianceRejection(
                entryIndex: index,
                path: ComplianceRule.eventPath(ofDataPath: finding.path),
                category: finding.category.rawValue
            )
        case .accept(let result, let outcomes):
            var checked = entry
            if result != data {
                checked.event.data = .json(JSONWriter().bytes(result))
            }
            checked.enrichment = Self.recording(outcomes, in: entry.enrichment)
            return checked
        }
    }

    /// `enrichment` with a `compliance` member listing `outcomes`.
    static func recording(_ outcomes: [ComplianceOutcome], in enrichment: JSONValue?) -> JSONValue? {
        guard !outcomes.isEmpty else {
            return enrichment
        }
        let list = JSONValue.array(outcomes.map { .string(RecordedComplianceOutcome($0).recordedForm) })
        var object = JSONObject([])
        if case .object(let existing)? = enrichment {
            object = existing
        }
        object.members.append(.init(name: "compliance", value: list))
        return .object(object)
    }

    func event(at sequence: Int64) async throws -> LoggedEvent? {
        try await base.event(at: sequence)
    }

    func query(_ query: EventQuery) async throws -> EventPage {
        try await base.query(query)
    }

    func lastSequence() async throws -> Int64 {
        try await base.lastSequence()
    }

    func waitForAppend(after sequence: Int64, timeout: Duration) async {
        await base.waitForAppend(after: sequence, timeout: timeout)
    }
}
