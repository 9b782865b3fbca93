// SPDX-License-Identifier: Apache-2.0

import Benchmark
import TocsinActions
import TocsinConfig
import TocsinCore
import TocsinResponse

/// The target kinds' pure steps per delivery: reading a definition, building each service's
/// escaped payload, dispatching through the registry, and validating blocklist entries read back.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal, .instructions],
        timeUnits: .microseconds,
        maxDuration: .seconds(5),
        maxIterations: 1000
    )

    func target(_ json: String) -> TargetDefinition {
        do {
            return try TargetDefinition(
                name: "t",
                json: try JSONParser().parse(json),
                kinds: ActionRegistry.targetKinds
            )
        } catch {
            fatalError("the benchmark's target definition does not validate: \(error)")
        }
    }

    let event = CloudEvent(
        id: "e-1",
        source: "/ssh/bastion-1",
        type: "ssh.login.failed",
        dataContentType: "application/json",
        subject: "<!channel> root & admin",
        time: Timestamp(rfc3339: "2026-11-25T10:00:00Z"),
        data: .json(
            Array(#"{"user":"root","ip":"203.0.113.9","note":"failed password for root from 203.0.113.9"}"#.utf8)
        )
    )
    let logged = LoggedEvent(sequence: 7, event: event, ingestMilliseconds: 1_000, hash: [])
    let document = logged.matchDocument

    func request(_ target: TargetDefinition) -> ActionRequest {
        let delivery = DeliveryRecord(
            id: 1,
            eventSequence: 7,
            rule: "ssh",
            target: target.name,
            input: nil,
            state: .pending,
            attempts: 0,
            routedMilliseconds: 0,
            nextAttemptMilliseconds: 0,
            firstAttemptMilliseconds: nil,
            lastAttemptMilliseconds: nil,
            lastFailure: nil,
            deadLetterReason: nil,
            redrives: 0
        )
        return ActionRequest(
            delivery: delivery,
            target: target,
            logged: logged,
            event: document,
            isAlertTrigger: false,
            transformed: nil
        )
    }

    let definition = #"{"kind": "slack", "url": "https://hooks.slack.com/services/T0/B0/X", "headers": {"X": "y"}}"#
    Benchmark("read: one slack target definition") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(target(definition))
        }
    }

    let slack = request(target(definition))
    let slackAction = slack.target.settings as? SlackAction
    Benchmark("payload: slack (escaped summary)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(slackAction?.body(slack))
        }
    }

    let pagerduty = request(target(#"{"kind": "pagerduty", "routing_key": "rk"}"#))
    let pagerdutyAction = pagerduty.target.settings as? PagerDutyAction
    Benchmark("payload: pagerduty (one-line summary, event as details)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(pagerdutyAction?.body(pagerduty))
        }
    }

    let jira = request(target(#"{"kind": "jira", "url": "https://jira.example/rest/api/2/issue", "project": "SEC"}"#))
    let jiraAction = jira.target.settings as? JiraAction
    Benchmark("payload: jira (noformat description)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(jiraAction?.body(jira))
        }
    }

    let entries = (0..<10_000).map { index in
        BlocklistEntry(
            entry: "198.\(index / 65_536 % 256).\(index / 256 % 256).\(index % 256)",
            isV6: false,
            addedMilliseconds: Int64(index),
            expiresMilliseconds: 1_000_000,
            rule: "ssh",
            eventSequence: Int64(index)
        )
    }
    Benchmark("blocklist: validate 10k entries read back", configuration: .init(maxIterations: 50)) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(BlocklistPolicy().validated(entries))
        }
    }
}
