// SPDX-License-Identifier: Apache-2.0

import GRDB
import Testing
import TocsinCore
import TocsinStore
import TocsinTesting

/// Target definitions rebuilt from the log: the events carry templates and fingerprints, the
/// secrets come back from the sealed secret store, a missing secret refuses the rebuild, and rows
/// of older versions are logged once.
struct TargetDefinitionsProjectionTests {
    static let base: Int64 = 1_800_000_000_000
    static let first = "first-signing-secret-7f3a"
    static let second = "rotated-signing-secret-9c1d"
    static let chatURL = "https://hooks.example.com/services/T0/B0/chatTokenValue42"

    /// A webhook template whose signing secret is `fingerprint`.
    static func hook(_ fingerprint: String) -> JSONValue {
        .object(
            JSONObject([
                .init(name: "kind", value: .string("webhook")),
                .init(name: "url", value: .string("hmac-sha256:00000000000000aa")),
                .init(name: "secret", value: .string(fingerprint)),
                .init(
                    name: "retry",
                    value: .object(JSONObject([.init(name: "max_attempts", value: .number(JSONNumber(Int64(3))))]))
                ),
            ])
        )
    }

    /// Stores a target the way the API does: the row and its secrets first, then its event.
    static func define(
        _ name: String,
        template: JSONValue,
        secrets: [String: String],
        at milliseconds: Int64,
        in store: EventStore
    ) async throws {
        let created = try await store.routing.putTarget(name, template: template, secrets: secrets, at: milliseconds)
        let data = JSONValue.object(
            JSONObject([
                .init(name: "name", value: .string(name)),
                .init(name: "template", value: template),
                .init(name: "secrets", value: .array(secrets.keys.sorted().map { .string($0) })),
                .init(name: "actor", value: .string("admin")),
            ])
        )
        _ = try await store.append([
            CloudEvent(
                id: "target-\(name)-\(milliseconds)",
                source: "/tocsin/admin",
                type: created ? "tocsin.target.created" : "tocsin.target.updated",
                dataContentType: "application/json",
                subject: name,
                time: Timestamp(epochMilliseconds: milliseconds),
                data: .json(JSONWriter().bytes(data))
            )
        ])
    }

    /// Deletes a target the way the API does: the row, its event, then its secrets.
    static func delete(_ name: String, in store: EventStore) async throws {
        #expect(try await store.routing.deleteDefinition(.target, name: name))
        _ = try await store.append([
            CloudEvent(
                id: "target-\(name)-deleted",
                source: "/tocsin/admin",
                type: "tocsin.target.deleted",
                dataContentType: "application/json",
                subject: name,
                data: .json(Array(#"{"name":"\#(name)","actor":"admin"}"#.utf8))
            )
        ])
        try await store.routing.deleteTargetSecrets(name)
    }

    /// Three targets created, one with its secret rotated twice, one deleted.
    static func workload(_ store: EventStore) async throws {
        try await define(
            "hook",
            template: hook("hmac-sha256:0000000000000001"),
            secrets: [
                "hmac-sha256:00000000000000aa": "https://siem.example.com/in", "hmac-sha256:0000000000000001": first,
            ],
            at: base,
            in: store
        )
        try await define(
            "chat",
            template: .object(
                JSONObject([
                    .init(name: "kind", value: .string("slack")),
                    .init(name: "url", value: .string("hmac-sha256:00000000000000cc")),
                ])
            ),
            secrets: ["hmac-sha256:00000000000000cc": chatURL],
            at: base + 1,
            in: store
        )
        try await define(
            "hook",
            template: hook("hmac-sha256:0000000000000003"),
            secrets: [
                "hmac-sha256:00000000000000aa": "https://siem.example.com/in", "hmac-sha256:0000000000000003": "third",
            ],
            at: base + 2,
            in: store
        )
        try await define(
            "hook",
            template: hook("hmac-sha256:0000000000000002"),
            secrets: [
                "hmac-sha256:00000000000000aa": "https://siem.example.com/in", "hmac-sha256:0000000000000002": second,
            ],
            at: base + 3,
            in: store
        )
        try await define(
            "cases",
            template: .object(JSONObject([.init(name: "kind", value: .string("incident"))])),
            secrets: [:],
            at: base + 4,
            in: store
        )
        try await delete("chat", in: store)
    }

    @Test("a fresh fold equals the live rows, the secrets come back, a tampered row is named and restored")
    func rebuiltEqualsLive() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try await withRunningStore(directory: directory) { store, path in
            try await Self.workload(store)
            let rebuilder = ProjectionRebuilder(store: store, scratchDirectory: path)
            let equal = try await rebuilder.compare("targets", nowMilliseconds: Self.base)
            #expect(equal.isEqual && equal.tables.first?.liveRows == 2, "hook and cases")

            let definitions = try await store.routing.definitions(.target)
            #expect(definitions.map(\.name) == ["cases", "hook"])
            let hook = try #require(try definitions.last?.json.get())
            #expect(hook.contains(Self.second) && hook.contains("https://siem.example.com/in"))
            #expect(!hook.contains("hmac-sha256:"), "every fingerprint is replaced by its secret")

            try tamper(path, "UPDATE definitions SET json = replace(json, 'webhook', 'slack') WHERE name = 'hook'")
            let tampered = try await rebuilder.compare("targets", nowMilliseconds: Self.base)
            #expect(!tampered.isEqual && tampered.tables.first?.differingKeys == ["hook"])
            let rebuilt = try await rebuilder.rebuild("targets")
            #expect(rebuilt.rows == ["definitions": 2])
            #expect(try await rebuilder.compare("targets", nowMilliseconds: Self.base).isEqual)
            #expect(try await store.routing.definitions(.target).last?.json.get() == hook)
            #expect(try await rebuilder.compare("rules", nowMilliseconds: Self.base).tables.first?.liveRows == 0)
        }
        for secret in [Self.first, Self.second, Self.chatURL, "siem.example.com/in"] {
            #expect(try !DefinitionSealingTests.rawFilesContain(secret, in: directory.path), "\(secret) at rest")
        }
    }

    @Test("a secret the store no longer holds refuses the check and the rebuild, naming the target")
    func missingSecretRefuses() async throws {
        try await withRunningStore { store, path in
            try await Self.workload(store)
            try tamper(
                path,
                "DELETE FROM target_secrets WHERE target = 'hook' AND fingerprint = 'hmac-sha256:0000000000000002'"
            )
            let rebuilder = ProjectionRebuilder(store: store, scratchDirectory: path)
            for attempt in ["check", "rebuild"] {
                do {
                    if attempt == "check" {
                        _ = try await rebuilder.compare("targets", nowMilliseconds: Self.base)
                    } else {
                        _ = try await rebuilder.rebuild("targets")
                    }
                    Issue.record("the \(attempt) went through without the secret")
                } catch let error as StoreError {
                    #expect(error.code == .refused && error.message.contains("'hook'"), "\(attempt)")
                }
            }
            let definitions = try await store.routing.definitions(.target)
            #expect(throws: StoreError.self) { try definitions.last?.json.get() }
        }
    }

    @Test("the secret store keeps a target's current and previous secrets, and none after it is deleted")
    func retention() async throws {
        try await withRunningStore { store, path in
            try await Self.workload(store)
            let kept = try await DatabaseQueue(path: path + "/tocsin.db").read { db in
                try String.fetchAll(db, sql: "SELECT target || ' ' || fingerprint FROM target_secrets ORDER BY 1")
            }
            #expect(
                kept == [
                    "hook hmac-sha256:0000000000000002", "hook hmac-sha256:0000000000000003",
                    "hook hmac-sha256:00000000000000aa",
                ]
            )
        }
    }

    @Test("a target row of an older version is logged once, with its template, and then rebuilds")
    func legacyRowsAreLogged() async throws {
        try await withRunningStore { store, path in
            let old = #"{"kind":"webhook","url":"https://old.example.com/in"}"#
            _ = try await store.routing.putDefinition(.target, name: "old", json: old, at: Self.base)
            _ = try await store.append([
                CloudEvent(
                    id: "old-created",
                    source: "/tocsin/admin",
                    type: "tocsin.target.created",
                    dataContentType: "application/json",
                    subject: "old",
                    time: Timestamp(epochMilliseconds: Self.base),
                    data: .json(Array(#"{"name":"old","definition":{"kind":"webhook"},"actor":"admin"}"#.utf8))
                )
            ])
            let rebuilder = ProjectionRebuilder(store: store, scratchDirectory: path)
            #expect(try await store.routing.legacyTargets().map(\.name) == ["old"])
            #expect(try await rebuilder.unloggedRows("targets", identifiers: store.identifiers).isEmpty)
            #expect(try await rebuilder.compare("targets", nowMilliseconds: Self.base).tables.first?.liveRows == 0)

            // What `tocsin serve` does at start: split the row, then log it.
            let template = JSONValue.object(
                JSONObject([
                    .init(name: "kind", value: .string("webhook")),
                    .init(name: "url", value: .string("hmac-sha256:00000000000000ee")),
                ])
            )
            let secrets = ["hmac-sha256:00000000000000ee": "https://old.example.com/in"]
            #expect(try await !store.routing.putTarget("old", template: template, secrets: secrets, at: Self.base))
            #expect(try await store.routing.legacyTargets().isEmpty)
            let unlogged = try await rebuilder.unloggedRows("targets", identifiers: store.identifiers)
            #expect(unlogged.map(\.type) == ["tocsin.target.updated"] && unlogged.first?.subject == "old")
            _ = try await store.append(unlogged)
            _ = try await store.append(unlogged)
            #expect(try await rebuilder.unloggedRows("targets", identifiers: store.identifiers).isEmpty)
            #expect(try await rebuilder.compare("targets", nowMilliseconds: Self.base).isEqual)
            _ = try await rebuilder.rebuild("targets")
            let read = try #require(try await store.routing.definitions(.target).first?.json.get())
            #expect(try JSONParser().parse(Array(read.utf8)) == JSONParser().parse(Array(old.utf8)))
        }
    }
}
