// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing
import TocsinTesting

/// `tocsin sigma test` as a user runs it: JSON and syslog lines, several documents, exit codes.
struct SigmaCommandTests {
    static let rules = """
        title: CloudTrail logging stopped
        id: 11111111-1111-1111-1111-111111111111
        logsource:
            product: aws
            service: cloudtrail
        detection:
            selection:
                eventSource: cloudtrail.amazonaws.com
                eventName:
                    - StopLogging
                    - DeleteTrail
            condition: selection
        ---
        title: SSH failures
        name: ssh_failures
        logsource:
            product: linux
            service: sshd
        detection:
            keywords:
                - 'Failed password'
            condition: keywords
        ---
        title: Many SSH failures
        correlation:
            type: event_count
            rules: [ssh_failures]
            group-by: [host]
            timespan: 1m
            condition:
                gte: 5

        """

    static let events = """
        {"eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging"}
        Dec  1 10:00:00 host sshd[12]: Failed password for root from 203.0.113.7 port 22 ssh2

        {"eventSource":"cloudtrail.amazonaws.com","eventName":"deletetrail"}
        {"eventSource":"s3.amazonaws.com","eventName":"StopLogging"}
        Dec  1 10:00:01 host sshd[12]: Accepted publickey for alice

        """

    @Test func printsTheMatchingLinesOfEachRule() async throws {
        let directory = try TemporaryDirectory()
        let ruleFile = directory.path + "/rules.yml"
        let eventFile = directory.path + "/events.log"
        try Data(Self.rules.utf8).write(to: URL(fileURLWithPath: ruleFile))
        try Data(Self.events.utf8).write(to: URL(fileURLWithPath: eventFile))
        let result = try await runTocsin(["sigma", "test", "--rule", ruleFile, "--events", eventFile])
        #expect(result.status == 0, "\(result.errors)")
        #expect(
            result.output.split(separator: "\n") == [
                #"{"rule":"11111111-1111-1111-1111-111111111111","matches":[1,4]}"#,
                #"{"rule":"ssh_failures","matches":[2]}"#,
            ]
        )
    }

    @Test func exitsTwoWithLocatedDiagnostics() async throws {
        let directory = try TemporaryDirectory()
        let ruleFile = directory.path + "/bad.yml"
        let eventFile = directory.path + "/events.log"
        let bad = Self.rules.replacingOccurrences(
            of: "eventSource: cloudtrail",
            with: "eventSource|containz: cloudtrail"
        )
        try Data(bad.utf8).write(to: URL(fileURLWithPath: ruleFile))
        try Data(Self.events.utf8).write(to: URL(fileURLWithPath: eventFile))
        let result = try await runTocsin(["sigma", "test", "--rule", ruleFile, "--events", eventFile])
        #expect(result.status == 2)
        #expect(result.output.isEmpty)
        #expect(result.errors.contains("bad.yml:8:21: SIGMA-E003: unknown modifier 'containz'"), "\(result.errors)")
    }

    @Test func placeholdersComeFromTheCommandLine() async throws {
        let directory = try TemporaryDirectory()
        let ruleFile = directory.path + "/rule.yml"
        let eventFile = directory.path + "/events.log"
        let rule = """
            title: Login from an unexpected country
            logsource:
                product: okta
                service: okta
            detection:
                selection:
                    country|expand: '%Countries%'
                condition: not selection

            """
        try Data(rule.utf8).write(to: URL(fileURLWithPath: ruleFile))
        try Data("{\"country\":\"FR\"}\n{\"country\":\"KP\"}\n".utf8).write(to: URL(fileURLWithPath: eventFile))
        let missing = try await runTocsin(["sigma", "test", "--rule", ruleFile, "--events", eventFile])
        #expect(missing.status == 2)
        #expect(missing.errors.contains("SIGMA-E005"))
        let given = try await runTocsin([
            "sigma", "test", "--rule", ruleFile, "--events", eventFile, "--placeholder", "Countries=FR",
            "--placeholder", "Countries=DE",
        ])
        #expect(given.status == 0, "\(given.errors)")
        #expect(given.output == #"{"rule":"Login from an unexpected country","matches":[2]}"# + "\n")
    }

    static let correlation = """
        title: CloudTrail logging stopped
        id: 11111111-1111-1111-1111-111111111111
        logsource: {product: aws, service: cloudtrail}
        detection:
            selection: {eventSource: cloudtrail.amazonaws.com, eventName: StopLogging}
            condition: selection
        ---
        title: Logging stopped repeatedly by one user
        id: 22222222-2222-2222-2222-222222222222
        correlation:
            type: event_count
            rules: [11111111-1111-1111-1111-111111111111]
            group-by: [userIdentity.userName]
            timespan: 10m
            condition: {gte: 2}

        """

    static func stop(_ time: String, by user: String) -> String {
        #"{"eventTime":"2026-12-01T\#(time)Z","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","userIdentity":{"userName":"\#(user)"}}"#
    }

    @Test func correlationAlertsFollowEventTime() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let ruleFile = directory.path + "/rules.yml"
        let eventFile = directory.path + "/trail.jsonl"
        try Data(Self.correlation.utf8).write(to: URL(fileURLWithPath: ruleFile))
        let lines = [
            Self.stop("03:00:00", by: "mallory"), Self.stop("03:01:00", by: "alice"),
            Self.stop("03:20:00", by: "mallory"), Self.stop("03:25:00", by: "mallory"),
        ]
        try Data(lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: eventFile))
        let timed = try await runTocsin(
            ["sigma", "test", "--rule", ruleFile, "--events", eventFile, "--time-field", "eventTime"]
        )
        #expect(timed.status == 0, "\(timed.errors)")
        // 03:00 and 03:20 are further apart than the 10-minute window: 03:20 and 03:25 fire.
        #expect(
            timed.output.split(separator: "\n") == [
                #"{"rule":"11111111-1111-1111-1111-111111111111","matches":[1,2,3,4]}"#,
                #"{"rule":"22222222-2222-2222-2222-222222222222","group":{"userIdentity.userName":"mallory"},"first":3,"last":4}"#,
            ]
        )
        // Without a time field every record counts at once: the second of mallory's fires.
        let untimed = try await runTocsin(["sigma", "test", "--rule", ruleFile, "--events", eventFile])
        #expect(
            untimed.output.split(separator: "\n").last
                == #"{"rule":"22222222-2222-2222-2222-222222222222","group":{"userIdentity.userName":"mallory"},"first":1,"last":3}"#
        )
    }

    @Test func chainedCorrelationsRunAndCyclesExitTwo() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let ruleFile = directory.path + "/rules.yml"
        let eventFile = directory.path + "/trail.jsonl"
        // The repeated-stop correlation (gte 2 in 10 m), then a correlation of its alerts: two within an hour.
        let chain =
            Self.correlation + """
                ---
                title: Repeated stops, twice within an hour
                id: 33333333-3333-3333-3333-333333333333
                correlation:
                    type: event_count
                    rules: [22222222-2222-2222-2222-222222222222]
                    group-by: [userIdentity.userName]
                    timespan: 1h
                    condition: {gte: 2}

                """
        try Data(chain.utf8).write(to: URL(fileURLWithPath: ruleFile))
        let lines = [
            Self.stop("03:00:00", by: "mallory"), Self.stop("03:01:00", by: "mallory"),
            Self.stop("03:30:00", by: "mallory"), Self.stop("03:31:00", by: "mallory"),
        ]
        try Data(lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: eventFile))
        let result = try await runTocsin(
            ["sigma", "test", "--rule", ruleFile, "--events", eventFile, "--time-field", "eventTime"]
        )
        #expect(result.status == 0, "\(result.errors)")
        // The inner alerts (lines 1-2 and 3-4, in two 10-minute periods) feed the outer one at their
        // last lines; the inner correlation raises nothing of its own.
        #expect(
            result.output.split(separator: "\n") == [
                #"{"rule":"11111111-1111-1111-1111-111111111111","matches":[1,2,3,4]}"#,
                #"{"rule":"33333333-3333-3333-3333-333333333333","group":{"userIdentity.userName":"mallory"},"first":2,"last":4}"#,
            ]
        )
        let cycle = chain.replacingOccurrences(
            of: "rules: [11111111-1111-1111-1111-111111111111]",
            with: "rules: [33333333-3333-3333-3333-333333333333]"
        )
        try Data(cycle.utf8).write(to: URL(fileURLWithPath: ruleFile))
        let refused = try await runTocsin(["sigma", "test", "--rule", ruleFile, "--events", eventFile])
        #expect(refused.status == 2)
        #expect(refused.output.isEmpty)
        #expect(
            refused.errors.contains(
                "rules.yml:8:1: $.correlation.rules: Logging stopped repeatedly by one user: correlations refer to each other in a cycle"
            ),
            "\(refused.errors)"
        )
    }
}
