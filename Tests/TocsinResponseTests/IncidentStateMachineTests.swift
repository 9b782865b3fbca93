// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore
import TocsinResponse
import TocsinTesting

/// The incident model's decisions as transition tables: each scenario feeds alerts and actions in
/// log order and names the decision every step must produce.
struct IncidentStateMachineTests {
    /// One input and the decision it must produce.
    enum Step: Sendable {
        case alert(Alert, expect: Expected)
        case action(IncidentAction, expect: Expected)
    }

    /// A decision, reduced to what the table checks.
    enum Expected: Sendable, Equatable {
        case opened(Int64)
        case updated(Int64, alerts: Int)
        case recordOnly
        case applied(Int64, Incident.Status, assignee: String?)
        case refused(Incident.Refusal)
    }

    struct Scenario: Sendable, CustomTestStringConvertible {
        let name: String
        let steps: [Step]
        var testDescription: String { name }
    }

    static func alert(
        _ rule: String = "ssh-bruteforce",
        ip: String? = "203.0.113.9",
        key: String? = nil,
        level: Alert.Level = .high,
        count: Int = 1,
        at time: Int64 = 1_000,
        staged: Bool = false
    ) -> Alert {
        Alert(
            rule: rule,
            title: "\(rule) fired",
            level: level,
            kind: .threshold,
            evidence: [time],
            group: ip.map { [Alert.GroupValue(field: "src_ip", value: .string($0))] } ?? [],
            count: count,
            firstEventMilliseconds: time,
            lastEventMilliseconds: time,
            isStaged: staged,
            incidentKey: key,
            identity: "\(rule)/\(ip ?? "-")/\(time)"
        )
    }

    static func act(_ verb: IncidentAction.Verb, _ incident: Int64, assignee: String? = nil) -> IncidentAction {
        IncidentAction(incident: incident, verb: verb, actor: "alice", assignee: assignee, note: "n", milliseconds: 5)
    }

    static let scenarios: [Scenario] = [
        Scenario(
            name: "a repeated alert updates its incident instead of opening another",
            steps: [
                .alert(alert(at: 1_000), expect: .opened(1)),
                .alert(alert(at: 2_000), expect: .updated(1, alerts: 2)),
                .alert(alert(at: 3_000), expect: .updated(1, alerts: 3)),
            ]
        ),
        Scenario(
            name: "a new group opens a new incident and never hides behind an old one",
            steps: [
                .alert(alert(ip: "203.0.113.9"), expect: .opened(1)),
                .alert(alert(ip: "198.51.100.7"), expect: .opened(2)),
                .alert(alert(ip: "203.0.113.9"), expect: .updated(1, alerts: 2)),
                .alert(alert(ip: nil), expect: .opened(3)),
            ]
        ),
        Scenario(
            name: "two rules with the same group values are two incidents",
            steps: [
                .alert(alert("ssh-bruteforce"), expect: .opened(1)),
                .alert(alert("port-scan"), expect: .opened(2)),
            ]
        ),
        Scenario(
            name: "an explicit incident key groups alerts of different rules",
            steps: [
                .alert(alert("ssh-bruteforce", key: "host-7"), expect: .opened(1)),
                .alert(alert("port-scan", ip: "198.51.100.7", key: "host-7"), expect: .updated(1, alerts: 2)),
                .alert(alert("ssh-bruteforce"), expect: .opened(2)),
            ]
        ),
        Scenario(
            name: "open → acknowledged → assigned → closed; nothing applies after close",
            steps: [
                .alert(alert(), expect: .opened(1)),
                .action(act(.acknowledge, 1), expect: .applied(1, .acknowledged, assignee: nil)),
                .action(act(.acknowledge, 1), expect: .refused(.alreadyAcknowledged)),
                .action(act(.assign, 1, assignee: "bob"), expect: .applied(1, .acknowledged, assignee: "bob")),
                .action(act(.assign, 1, assignee: "carol"), expect: .applied(1, .acknowledged, assignee: "carol")),
                .action(act(.close, 1), expect: .applied(1, .closed, assignee: "carol")),
                .action(act(.close, 1), expect: .refused(.closed)),
                .action(act(.acknowledge, 1), expect: .refused(.closed)),
                .action(act(.assign, 1, assignee: "dave"), expect: .refused(.closed)),
            ]
        ),
        Scenario(
            name: "an alert for a closed incident's key opens a new incident",
            steps: [
                .alert(alert(at: 1_000), expect: .opened(1)),
                .action(act(.close, 1), expect: .applied(1, .closed, assignee: nil)),
                .alert(alert(at: 2_000), expect: .opened(2)),
                .alert(alert(at: 3_000), expect: .updated(2, alerts: 2)),
            ]
        ),
        Scenario(
            name: "an open incident can be assigned and closed without an acknowledgement",
            steps: [
                .alert(alert(), expect: .opened(1)),
                .action(act(.assign, 1, assignee: "bob"), expect: .applied(1, .open, assignee: "bob")),
                .action(act(.assign, 1, assignee: ""), expect: .refused(.missingAssignee)),
                .action(act(.assign, 1), expect: .refused(.missingAssignee)),
                .action(act(.close, 1), expect: .applied(1, .closed, assignee: "bob")),
            ]
        ),
        Scenario(
            name: "actions on an incident that does not exist are refused",
            steps: [
                .action(act(.acknowledge, 1), expect: .refused(.unknownIncident)),
                .alert(alert(), expect: .opened(1)),
                .action(act(.close, 2), expect: .refused(.unknownIncident)),
            ]
        ),
        Scenario(
            name: "a staged rule's alert is recorded only: no incident, nothing announced",
            steps: [
                .alert(alert(staged: true), expect: .recordOnly),
                .alert(alert(), expect: .opened(1)),
                .alert(alert(staged: true), expect: .recordOnly),
                .alert(alert(), expect: .updated(1, alerts: 2)),
            ]
        ),
    ]

    @Test("incident transitions", arguments: scenarios)
    func transitions(_ scenario: Scenario) {
        var book = Book()
        for (index, step) in scenario.steps.enumerated() {
            let (got, expected) = book.run(step, sequence: Int64(index + 1))
            #expect(got == expected, "step \(index + 1) of '\(scenario.name)'")
        }
    }

    @Test("an update keeps the highest level, widens first and last seen, and adds up event counts")
    func updatesAccumulate() throws {
        let first = Self.alert(level: .medium, count: 5, at: 10_000)
        guard case .open(let opened) = Incident.receive(first, sequence: 7, active: nil, nextID: 1) else {
            Issue.record("the first alert opens an incident")
            return
        }
        #expect(opened.openedSequence == 7 && opened.events == 5 && opened.status == .open)
        let late = Self.alert(level: .critical, count: 3, at: 4_000)
        guard case .update(let updated) = Incident.receive(late, sequence: 9, active: opened, nextID: 2) else {
            Issue.record("the same key updates")
            return
        }
        #expect(updated.level == .critical)
        #expect(updated.firstSeenMilliseconds == 4_000 && updated.lastSeenMilliseconds == 10_000)
        #expect(updated.alerts == 2 && updated.events == 8)
        #expect(updated.openedSequence == 7 && updated.lastAlertSequence == 9)
        let lower = Self.alert(level: .low, at: 20_000)
        guard case .update(let again) = Incident.receive(lower, sequence: 11, active: updated, nextID: 2) else {
            Issue.record("the same key updates")
            return
        }
        #expect(again.level == .critical && again.lastSeenMilliseconds == 20_000)
        updated.checkInvariants()
        again.checkInvariants()
    }

    @Test("a closed or foreign incident handed in as active opens a new one")
    func activeMustMatch() {
        var closed = Incident.receive(Self.alert(), sequence: 1, active: nil, nextID: 1)
        guard case .open(var incident) = closed else {
            Issue.record("opens")
            return
        }
        incident.status = .closed
        closed = Incident.receive(Self.alert(), sequence: 2, active: incident, nextID: 2)
        #expect(closed.openedID == 2)
        incident.status = .open
        let foreign = Incident.receive(Self.alert(ip: "198.51.100.7"), sequence: 3, active: incident, nextID: 3)
        #expect(foreign.openedID == 3)
    }

    @Test("random workloads keep every invariant and at most one active incident per key")
    func randomWorkloads() {
        var random = SeededRandom(seed: 42)
        for _ in 0..<20 {
            var book = Book()
            for sequence in 1...300 {
                let choice = random.next() % 10
                let step: Step
                if choice < 6 {
                    let ip = "10.0.0.\(random.next() % 4)"
                    let rule = ["a", "b"][Int(random.next() % 2)]
                    let alert = Self.alert(rule, ip: ip, at: Int64(random.next() % 100_000), staged: choice == 0)
                    step = .alert(alert, expect: .recordOnly)
                } else {
                    let verbs = IncidentAction.Verb.allCases
                    let verb = verbs[Int(random.next() % UInt64(verbs.count))]
                    let id = Int64(random.next() % UInt64(book.incidents.count + 2))
                    step = .action(Self.act(verb, id, assignee: verb == .assign ? "bob" : nil), expect: .recordOnly)
                }
                _ = book.run(step, sequence: Int64(sequence))
                var active: Set<String> = []
                for incident in book.incidents.values {
                    incident.checkInvariants()
                    if incident.status != .closed {
                        #expect(active.insert(incident.key).inserted, "two active incidents share a key")
                    }
                }
            }
            #expect(book.incidents.keys.sorted() == Array(1...Int64(book.incidents.count)), "numbers have no gaps")
        }
    }

    /// Every incident by number, as the projection's tables hold them.
    struct Book {
        var incidents: [Int64: Incident] = [:]

        mutating func run(_ step: Step, sequence: Int64) -> (got: Expected, expected: Expected) {
            switch step {
            case .alert(let alert, let expected):
                let active = incidents.values.first { $0.key == alert.groupingKey && $0.status != .closed }
                let decision = Incident.receive(
                    alert,
                    sequence: sequence,
                    active: active,
                    nextID: Int64(incidents.count + 1)
                )
                switch decision {
                case .recordOnly:
                    return (.recordOnly, expected)
                case .open(let incident):
                    incidents[incident.id] = incident
                    return (.opened(incident.id), expected)
                case .update(let incident):
                    incidents[incident.id] = incident
                    return (.updated(incident.id, alerts: incident.alerts), expected)
                }
            case .action(let action, let expected):
                switch Incident.apply(action, to: incidents[action.incident]) {
                case .apply(let incident):
                    incidents[incident.id] = incident
                    return (.applied(incident.id, incident.status, assignee: incident.assignee), expected)
                case .refuse(let refusal):
                    return (.refused(refusal), expected)
                }
            }
        }
    }
}

extension Incident.AlertDecision {
    /// The number of the incident the decision opens, if it opens one.
    var openedID: Int64? {
        if case .open(let incident) = self {
            return incident.id
        }
        return nil
    }
}
