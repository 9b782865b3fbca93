// SPDX-License-Identifier: Apache-2.0

import Crypto
import TocsinCore
import TocsinStore

/// The log as ingestion and the read API see it: appended entries have their personal fields
/// sealed with their subject's key before the append (so only ciphertext is hashed and stored),
/// and events read back have their envelopes opened, or shown as `"[erased]"` once the subject's
/// key is destroyed (docs/erasure.md).
///
/// It is one small step of the ingest pipeline, the last before the store: enrichment runs before
/// it on the plaintext, and a value enrichment copied can be declared personal too.
struct PersonalDataEventLog: EventLog {
    let base: any EventLog
    let fields: PersonalFields
    let keys: SubjectKeyStore
    let clock: @Sendable () -> Int64

    func append(entries: [LogEntry]) async throws -> [AppendReceipt] {
        guard !fields.policy.isEmpty else {
            return try await base.append(entries: entries)
        }
        let now = clock()
        let sealed = try entries.map { entry in
            try fields.seal(entry, key: { try keys.key(forSubject: $0, now: now) }, nonce: { AES.GCM.Nonce() })
        }
        return try await base.append(entries: sealed)
    }

    func event(at sequence: Int64) async throws -> LoggedEvent? {
        try await base.event(at: sequence).map(open)
    }

    func query(_ query: EventQuery) async throws -> EventPage {
        var page = try await base.query(query)
        page.events = try page.events.map(open)
        return page
    }

    func lastSequence() async throws -> Int64 {
        try await base.lastSequence()
    }

    func waitForAppend(after sequence: Int64, timeout: Duration) async {
        await base.waitForAppend(after: sequence, timeout: timeout)
    }

    /// `event` with its envelopes opened.
    func open(_ event: LoggedEvent) throws -> LoggedEvent {
        try PersonalFields.open(event) { try keys.key(forKeyID: $0) }
    }

    /// `event` with its envelopes opened, or as stored (sealed) when the key store cannot be read.
    @Sendable func openIfReadable(_ event: LoggedEvent) -> LoggedEvent {
        (try? open(event)) ?? event
    }
}
