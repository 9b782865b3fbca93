// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore
import TocsinResponse
import TocsinStore
import TocsinTesting

/// The alert and incident read models folded from the log: live folding, rebuilds, filters and the
/// opened-event outbox.
struct IncidentStoreTests {
    static func alert(
        _ rule: String,
        ip: String,
        level: Alert.Level = .high,
        at time: Int64,
        staged: Bool = false,
        key: String? = nil
    ) -> Alert {
        Alert(
            rule: rule,
            title: "\(rule) on \(ip)",
            level: level,
            tags: ["attack.t1110"],
            author: "Tocsin tests",
            kind: .threshold,
            evidence: [1, 2],
            group: [.init(field: "src_ip", value: .string(ip))],
            count: 5,
            firstEventMilliseconds: time - 500,
            lastEventMilliseconds: time,
            isStaged: staged,
            incidentKey: key,
            identity: "\(rule)/\(ip)/\(time)"
        )
    }

    static func raise(_ alerts: [Alert], in store: EventStore) async throws -> [AppendReceipt] {
        try await store.append(alerts.map { $0.event(identifiers: store.identifiers) })
    }

    static func act(
        _ verb: IncidentAction.Verb,
        _ incident: Int64,
        assignee: String? = nil,
        in store: EventStore
    ) async throws -> Int64 {
        let action = IncidentAction(
            incident: incident,
            verb: verb,
            actor: "alice",
            assignee: assignee,
            note: "\(verb.rawValue) by test",
            milliseconds: 1_800_000_100_000
        )
        return try await store.append([action.event(id: EventIdentifiers.random())])[0].sequence
    }

    /// Folds until caught up and appends the opened events, as the projection service does.
    @discardableResult
    static func follow(_ store: EventStore, limit: Int = 512) async throws -> IncidentStore.Progress {
        var progress: IncidentStore.Progress
        repeat {
            progress = try await store.incidents.project(limit: limit)
            let opened = try await store.incidents.unannounced()
            _ = try await store.append(opened.map { $0.openedEvent(identifiers: store.identifiers) })
            try await store.incidents.markAnnounced(opened.map(\.id))
        } while !progress.isCaughtUp
        return progress
    }

    /// Everything the read models hold, through their public queries.
    static func snapshot(_ store: EventStore) async throws -> (incidents: [IncidentDetail], alerts: [AlertRecord]) {
        var details: [IncidentDetail] = []
        for incident in try await store.incidents.incidents(IncidentFilter(limit: 100_000)).sorted(by: { $0.id < $1.id }
        ) {
            details.append(try #require(try await store.incidents.incident(id: incident.id)))
        }
        var alerts: [AlertRecord] = []
        var filter = AlertFilter(limit: 7)
        while true {
            let page = try await store.incidents.alerts(filter)
            alerts += page.alerts
            guard let next = page.next else {
                break
            }
            filter.after = next
        }
        return (details, alerts)
    }

    @Test("a rebuild from the log equals the live read models after a mixed workload")
    func rebuildEqualsLive() async throws {
        try await withRunningStore { store, _ in
            let base: Int64 = 1_800_000_000_000
            _ = try await store.append((1...3).map { EventFixtures.sshFailure(id: "noise-\($0)") })
            _ = try await Self.raise(
                [
                    Self.alert("ssh", ip: "203.0.113.9", at: base),
                    Self.alert("ssh", ip: "198.51.100.7", at: base + 1_000),
                    Self.alert("ssh", ip: "203.0.113.9", level: .critical, at: base + 2_000),
                ],
                in: store
            )
            try await Self.follow(store, limit: 2)
            _ = try await Self.act(.acknowledge, 1, in: store)
            _ = try await Self.act(.assign, 1, assignee: "bob", in: store)
            _ = try await Self.raise(
                [
                    Self.alert("scan", ip: "203.0.113.9", at: base + 3_000, staged: true),
                    Self.alert("scan", ip: "203.0.113.9", at: base + 4_000, key: "host-7"),
                    Self.alert("ssh", ip: "192.0.2.1", at: base + 4_500, key: "host-7"),
                ],
                in: store
            )
            try await Self.follow(store, limit: 1)
            _ = try await Self.act(.close, 1, in: store)
            _ = try await Self.act(.close, 1, in: store)
            _ = try await Self.act(.acknowledge, 99, in: store)
            _ = try await Self.raise([Self.alert("ssh", ip: "203.0.113.9", at: base + 5_000)], in: store)
            _ = try await store.append([
                CloudEvent(
                    id: "broken",
                    source: Alert.eventSource,
                    type: Alert.eventType,
                    dataContentType: "application/json",
                    data: .json(Array(#"{"rule":"x"}"#.utf8))
                )
            ])
            _ = try await Self.raise([Self.alert("ssh", ip: "203.0.113.9", at: base)], in: store)
            let last = try await Self.follow(store, limit: 3)
            #expect(last.isCaughtUp)

            let live = try await Self.snapshot(store)
            #expect(live.incidents.map(\.incident.id) == [1, 2, 3, 4])
            let first = live.incidents[0]
            #expect(first.incident.status == .closed && first.incident.assignee == "bob")
            #expect(first.incident.alerts == 2 && first.incident.events == 10 && first.incident.level == .critical)
            #expect(first.history.map(\.action.verb) == [.acknowledge, .assign, .close], "refused actions stay out")
            #expect(live.incidents[2].incident.key == "host-7" && live.incidents[2].incident.alerts == 2)
            #expect(live.incidents[3].incident.openedSequence > first.incident.lastAlertSequence)
            #expect(live.incidents[3].incident.alerts == 1, "the key of a closed incident opened incident 4")
            #expect(live.alerts.count == 7, "the broken alert is skipped; the repeated one is stored once")
            #expect(live.alerts.first { $0.alert.isStaged }?.incident == nil)
            let opened = try await store.query(EventQuery(type: Incident.openedEventType, limit: 100)).events
            #expect(opened.map(\.event.subject) == ["1", "2", "3", "4"])

            let rebuilt = try await store.incidents.rebuild()
            #expect(rebuilt.alerts == 7 && rebuilt.opened == 4 && rebuilt.actions == 3)
            #expect(rebuilt.skipped.count == 3, "the broken alert, the second close and the unknown incident")
            #expect(rebuilt.skipped.map(\.reason).contains("$.data.title: is required: a string"))
            let again = try await Self.snapshot(store)
            #expect(again.incidents == live.incidents)
            #expect(again.alerts == live.alerts)
            let announced = try await store.incidents.unannounced()
            #expect(announced.map(\.id) == [1, 2, 3, 4])
            let receipts = try await store.append(announced.map { $0.openedEvent(identifiers: store.identifiers) })
            #expect(receipts.allSatisfy { $0.isDuplicate }, "announcing after a rebuild appends nothing new")
        }
    }

    @Test("alert filters: rule, levels, time range, incident, and pages by sequence")
    func alertFilters() async throws {
        try await withRunningStore { store, _ in
            let base: Int64 = 1_800_000_000_000
            _ = try await Self.raise(
                (0..<10).map { index in
                    Self.alert(
                        index % 2 == 0 ? "ssh" : "scan",
                        ip: "10.0.0.\(index % 3)",
                        level: index < 5 ? .low : .high,
                        at: base + Int64(index) * 1_000
                    )
                },
                in: store
            )
            try await Self.follow(store)
            let incidents = store.incidents
            #expect(try await incidents.alerts(AlertFilter(rule: "ssh")).alerts.count == 5)
            #expect(try await incidents.alerts(AlertFilter(levels: [.high])).alerts.count == 5)
            #expect(try await incidents.alerts(AlertFilter(levels: [.high, .low])).alerts.count == 10)
            let window = try await incidents.alerts(AlertFilter(since: base + 2_000, until: base + 4_000))
            #expect(window.alerts.map(\.alert.lastEventMilliseconds) == [base + 2_000, base + 3_000])
            let first = try await incidents.alerts(AlertFilter(rule: "ssh", limit: 3))
            #expect(first.alerts.count == 3 && first.next == first.alerts.last?.sequence)
            let second = try await incidents.alerts(AlertFilter(rule: "ssh", after: first.next ?? 0, limit: 3))
            #expect(second.alerts.count == 2 && second.next == nil)
            let byIncident = try await incidents.alerts(AlertFilter(incident: 1))
            #expect(!byIncident.alerts.isEmpty && byIncident.alerts.allSatisfy { $0.incident == 1 })
            let record = try #require(first.alerts.first)
            #expect(try await incidents.alert(id: record.id) == record)
            #expect(try await incidents.alert(id: "alert-none") == nil)
        }
    }

    @Test("incident filters: status, rule, assignee and limit, most recently active first")
    func incidentFilters() async throws {
        try await withRunningStore { store, _ in
            let base: Int64 = 1_800_000_000_000
            _ = try await Self.raise(
                [
                    Self.alert("ssh", ip: "10.0.0.1", at: base),
                    Self.alert("ssh", ip: "10.0.0.2", at: base + 1_000),
                    Self.alert("scan", ip: "10.0.0.3", at: base + 2_000),
                ],
                in: store
            )
            try await Self.follow(store)
            _ = try await Self.act(.assign, 2, assignee: "bob", in: store)
            _ = try await Self.act(.close, 3, in: store)
            try await Self.follow(store)
            let incidents = store.incidents
            #expect(try await incidents.incidents(IncidentFilter()).map(\.id) == [3, 2, 1])
            #expect(try await incidents.incidents(IncidentFilter(statuses: [.open])).map(\.id) == [2, 1])
            #expect(try await incidents.incidents(IncidentFilter(statuses: [.closed, .acknowledged])).map(\.id) == [3])
            #expect(try await incidents.incidents(IncidentFilter(rule: "ssh")).map(\.id) == [2, 1])
            #expect(try await incidents.incidents(IncidentFilter(assignee: "bob")).map(\.id) == [2])
            #expect(try await incidents.incidents(IncidentFilter(limit: 1)).map(\.id) == [3])
            #expect(try await incidents.incident(id: 9) == nil)
        }
    }

    @Test("a waiter learns when the projection has folded an action, and how it was taken")
    func waitingForTheFold() async throws {
        try await withRunningStore { store, _ in
            _ = try await Self.raise([Self.alert("ssh", ip: "10.0.0.1", at: 1_800_000_000_000)], in: store)
            try await Self.follow(store)
            let close = try await Self.act(.close, 1, in: store)
            let again = try await Self.act(.close, 1, in: store)
            #expect(try await store.incidents.action(at: close) == nil, "not folded yet")
            let early = try await store.incidents.waitForProjection(through: close, timeout: .milliseconds(1))
            #expect(!early)
            async let folded = store.incidents.waitForProjection(through: again, timeout: .seconds(30))
            try await Self.follow(store)
            #expect(try await folded)
            #expect(try await store.incidents.action(at: close)?.refusal == nil)
            #expect(try await store.incidents.action(at: again)?.refusal == .closed)
        }
    }

    @Test("incidents recorded before the alert model are raised as alerts once, then their table goes")
    func legacyIncidents() async throws {
        let directory = try TemporaryDirectory()
        try await withRunningStore(directory: directory) { store, _ in
            _ = try await store.append([EventFixtures.sshFailure(id: "a")])
        }
        // The database as the incident target left it before the alert model: its own incidents table.
        try tamper(
            directory.path,
            """
            DROP TABLE alerts; DROP TABLE incidents; DROP TABLE incident_actions;
            CREATE TABLE incidents (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, title TEXT NOT NULL,
                severity TEXT NOT NULL, rule TEXT NOT NULL, status TEXT NOT NULL, first_ms INTEGER NOT NULL,
                last_ms INTEGER NOT NULL, events INTEGER NOT NULL, last_event_seq INTEGER NOT NULL);
            INSERT INTO incidents VALUES (7, 'root', 'ssh: ssh.login.failed', 'critical', 'ssh', 'open', 1000, 5000, 4, 1);
            INSERT INTO incidents VALUES (8, '127.0.0.1', 'flood', 'sev1', 'tocsin-auth-flood', 'open', 2000, 2000, 1, 1);
            DELETE FROM grdb_migrations WHERE identifier = 'v6-alerts-incidents';
            """
        )
        try await withRunningStore(directory: directory) { store, _ in
            let alerts = try await store.incidents.legacyIncidentAlerts()
            #expect(alerts.map(\.incidentKey) == ["root", "127.0.0.1"])
            #expect(alerts.map(\.level) == [.critical, .high], "an unknown severity becomes high")
            #expect(alerts.first?.count == 4 && alerts.first?.evidence == [1])
            _ = try await Self.raise(alerts, in: store)
            try await store.incidents.dropLegacyIncidents()
            _ = try await Self.raise(alerts, in: store)
            try await Self.follow(store)
            let incidents = try await store.incidents.incidents(IncidentFilter())
            #expect(incidents.map(\.key).sorted() == ["127.0.0.1", "root"])
            #expect(incidents.first { $0.key == "root" }?.events == 4)
            #expect(try await store.incidents.legacyIncidentAlerts().isEmpty)
            #expect(try await store.incidents.alerts(AlertFilter()).alerts.count == 2, "raised again, stored once")
        }
    }
}
