// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinActions
import TocsinConfig
import TocsinCore
import TocsinResponse

/// Secrets, header values and credential-bearing URLs leave only as keyed fingerprints.
struct RedactionTests {
    static let slackURL = "https://hooks.slack.com/services/T000/B000/XXXXSECRETXXXX"

    @Test("a Slack target shows the URL's origin and a fingerprint, never its path")
    func slackURL() throws {
        let target = try Requests.target(#"{"kind": "slack", "url": "\#(Self.slackURL)"}"#)
        let shown = JSONWriter().string(target.redactedJSON(Requests.redactor))
        #expect(!shown.contains("services") && !shown.contains("XXXXSECRETXXXX"))
        let json = try JSONParser().parse(shown)
        #expect(json["url"] == .string("https://hooks.slack.com/…"))
        #expect(json["url_fingerprint"] == .string(Requests.redactor.fingerprint(Self.slackURL)))
    }

    @Test("routing keys, signing secrets and header values are fingerprinted")
    func secrets() throws {
        let targets = [
            #"{"kind": "pagerduty", "routing_key": "R0UT1NGKEY"}"#,
            #"{"kind": "webhook", "url": "https://user:PASSW0RD@soc.example/hook?token=T0KEN", "secret": "S1GN1NG", "headers": {"Authorization": "Bearer H3ADER"}}"#,
            #"{"kind": "jira", "url": "https://jira.example/rest/api/2/issue", "project": "SEC", "headers": {"Authorization": "Basic H3ADER"}}"#,
        ]
        for json in targets {
            let shown = JSONWriter().string(try Requests.target(json).redactedJSON(Requests.redactor))
            for secret in ["R0UT1NGKEY", "PASSW0RD", "T0KEN", "S1GN1NG", "H3ADER", "user"] {
                #expect(!shown.contains(secret), "\(shown)")
            }
            #expect(shown.contains(SecretRedactor.label))
        }
        let webhook = try Requests.target(targets[1]).redactedJSON(Requests.redactor)
        #expect(webhook["url"] == .string("https://soc.example/…"), "user information is dropped from the origin")
        #expect(webhook["headers"]?["Authorization"] == .string(Requests.redactor.fingerprint("Bearer H3ADER")))
    }

    @Test("fingerprints are keyed: stable under one key, different under another, labelled and short")
    func keyedFingerprint() {
        let other = SecretRedactor(keyBytes: Array(repeating: 2, count: 32))
        let one = Requests.redactor.fingerprint("xoxb-token")
        #expect(one == Requests.redactor.fingerprint("xoxb-token"))
        #expect(one != other.fingerprint("xoxb-token"))
        #expect(one != Requests.redactor.fingerprint("xoxb-token2"))
        #expect(one.hasPrefix("hmac-sha256:") && one.count == "hmac-sha256:".count + 16)
    }

    @Test("a delivery failure names the receiver's origin, never its path")
    func failureNamesHost() async throws {
        let target = try Requests.target(#"{"kind": "slack", "url": "\#(Self.slackURL)"}"#)
        let context = RecordingContext(
            postOutcome: .failed(AttemptFailure(kind: .transport, message: "could not reach the receiver (connect)"))
        )
        let result = await ActionRegistry.perform(Requests.request(target), context: context)
        guard case .failed(let failure) = result.outcome else {
            Issue.record("the attempt succeeded")
            return
        }
        #expect(failure.message == "https://hooks.slack.com: could not reach the receiver (connect)")
    }

    @Test("PagerDuty's old `secret` key is refused with the new name")
    func pagerDutySecretRenamed() throws {
        let error = #expect(throws: ConfigError.self) {
            try Requests.target(#"{"kind": "pagerduty", "secret": "rk"}"#)
        }
        let text = error?.description ?? ""
        #expect(text.contains("$.secret: renamed to routing_key") && text.contains("$.routing_key: is required"))
    }
}
