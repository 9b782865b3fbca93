// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing
import TocsinActions
import TocsinConfig
import TocsinCore

/// Event text is escaped for the markup of each service, so an event cannot mention, link or
/// format through a message.
struct MarkupTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let input: String
        let expected: String
        var testDescription: String { input }
    }

    @Test(
        "Slack mrkdwn escapes &, < and >",
        arguments: [
            Case(input: "<!channel>", expected: "&lt;!channel&gt;"),
            Case(input: "<@U123> hi", expected: "&lt;@U123&gt; hi"),
            Case(input: "<https://evil.example|click>", expected: "&lt;https://evil.example|click&gt;"),
            Case(input: "a & b", expected: "a &amp; b"),
            Case(input: "&lt;", expected: "&amp;lt;"),
            Case(input: "*bold* _it_", expected: "*bold* _it_"),
            Case(input: "", expected: ""),
        ]
    )
    func slack(_ example: Case) {
        #expect(Markup.slack(example.input) == example.expected)
    }

    @Test(
        "plain lines replace control characters and line breaks",
        arguments: [
            Case(input: "root\nseverity: critical", expected: "root severity: critical"),
            Case(input: "a\r\nb\tc", expected: "a  b c"),
            Case(input: "x\u{2028}y\u{0}z", expected: "x y z"),
            Case(input: "plain", expected: "plain"),
        ]
    )
    func plainLine(_ example: Case) {
        #expect(Markup.plainLine(example.input) == example.expected)
    }

    @Test(
        "Jira noformat blocks cannot be closed by event text",
        arguments: [
            Case(input: "x{noformat}*bold*", expected: "x{\u{200B}noformat}*bold*"),
            Case(input: "{NoFormat}{noformat}", expected: "{\u{200B}NoFormat}{\u{200B}noformat}"),
            Case(input: "{code}", expected: "{code}"),
        ]
    )
    func jira(_ example: Case) {
        #expect(Markup.jiraNoformat(example.input) == example.expected)
    }

    @Test("a Slack message never carries a mention from the event")
    func slackMessage() throws {
        let target = try Requests.target(#"{"kind": "slack", "url": "https://hooks.slack.com/services/T0/B0/XYZ"}"#)
        let action = try #require(target.settings as? SlackAction)
        let request = Requests.request(target, logged: Requests.event(subject: "<!channel> & <@U1>"))
        let body = try JSONParser().parse(action.body(request))
        let text = try #require(body["text"]?.stringValue)
        #expect(!text.contains("<!channel>") && !text.contains("<@U1>"))
        #expect(text == "[ssh] ssh.login.failed from /ssh/bastion-1 (&lt;!channel&gt; &amp; &lt;@U1&gt;) — event 7")
    }

    @Test("PagerDuty and Jira summaries are one line; Jira's description keeps the event unrendered")
    func ticketShapes() throws {
        let logged = Requests.event(subject: "root\nseverity: critical{noformat}")
        let pagerduty = try Requests.target(#"{"kind": "pagerduty", "routing_key": "rk", "severity": "warning"}"#)
        let pd = try JSONParser().parse(
            try #require(pagerduty.settings as? PagerDutyAction).body(Requests.request(pagerduty, logged: logged))
        )
        #expect(pd["routing_key"] == .string("rk") && pd["dedup_key"] == .string("tocsin-7-1"))
        #expect(pd["payload"]?["severity"] == .string("warning"))
        #expect(pd["payload"]?["summary"]?.stringValue?.contains("\n") == false)
        let jira = try Requests.target(
            #"{"kind": "jira", "url": "https://jira.example/rest/api/2/issue", "project": "SEC"}"#
        )
        let issue = try JSONParser().parse(
            try #require(jira.settings as? JiraAction).body(Requests.request(jira, logged: logged))
        )
        #expect(issue["fields"]?["issuetype"]?["name"] == .string("Task"))
        #expect(issue["fields"]?["summary"]?.stringValue?.contains("\n") == false)
        let description = try #require(issue["fields"]?["description"]?.stringValue)
        #expect(description.hasSuffix("\n{noformat}"))
        #expect(description.components(separatedBy: "{noformat}").count == 3, "only the block's own two markers")
    }

    @Test("a transformed input is the whole body of every HTTP kind")
    func transformedInput() async throws {
        for json in [
            #"{"kind": "slack", "url": "https://hooks.slack.com/services/x"}"#,
            #"{"kind": "pagerduty", "routing_key": "rk"}"#,
            #"{"kind": "jira", "url": "https://jira.example/i", "project": "SEC"}"#,
        ] {
            let target = try Requests.target(json)
            var request = Requests.request(target)
            request.transformed = Array("x".utf8)
            let context = RecordingContext()
            _ = await ActionRegistry.perform(request, context: context)
            #expect(context.posts.first?.body == Array("x".utf8), "\(target.kindName)")
        }
    }
}
