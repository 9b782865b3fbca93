// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinActions
import TocsinConfig
import TocsinCore
import TocsinResponse
import TocsinTesting

/// The perform steps, through the registry, against a recording context.
struct PerformTests {
    @Test("every kind is registered once, and the reader knows every name")
    func registry() {
        let names = ActionRegistry.all.map { $0.kindName }
        #expect(names == ["webhook", "slack", "pagerduty", "jira", "exec", "blocklist", "incident", "revoke-key"])
        #expect(ActionRegistry.targetKinds.names == names)
        #expect(throws: ConfigError.self) { try Requests.target(#"{"kind": "carrier-pigeon"}"#) }
    }

    @Test("a webhook posts the event with the delivery headers and a signature on the injected clock")
    func webhook() async throws {
        let target = try Requests.target(
            #"{"kind": "webhook", "url": "https://soc.example/hook", "secret": "k", "headers": {"X-Team": "soc"}, "allow_private_network": true}"#
        )
        let context = RecordingContext(
            clock: ManualClock(start: WallInstant(millisecondsSinceEpoch: 1_700_000_000_500))
        )
        let request = Requests.request(target)
        let result = await ActionRegistry.perform(request, context: context)
        #expect(result.outcome == .succeeded(status: 200))
        let post = try #require(context.posts.first)
        #expect(post.body == request.logged.event.structuredJSONBytes())
        #expect(post.allowPrivateNetwork)
        #expect(
            post.headers.map(\.name) == [
                "X-Team", "Idempotency-Key", "Tocsin-Event-Sequence", "Tocsin-Rule", "Tocsin-Signature",
            ]
        )
        let signature = try #require(post.headers.last?.value)
        #expect(signature == WebhookSignature.header(secret: "k", timestamp: 1_700_000_000, body: post.body))
    }

    @Test("an exec failure names the program; a listed status is permanent")
    func exec() async throws {
        let target = try Requests.target(
            #"{"kind": "exec", "command": "/usr/local/bin/deactivate", "permanent_exit_codes": [2]}"#
        )
        for (status, permanent) in [(Int32(2), true), (Int32(1), false)] {
            let context = RecordingContext(
                runOutcome: .failed(
                    AttemptFailure(kind: .exitStatus, exitStatus: status, message: "exited with status \(status)")
                )
            )
            let result = await ActionRegistry.perform(Requests.request(target), context: context)
            guard case .failed(let failure) = result.outcome else {
                Issue.record("the attempt succeeded")
                continue
            }
            #expect(failure.message.hasPrefix("/usr/local/bin/deactivate: exited with status \(status)"))
            #expect(failure.isRetryable == !permanent)
        }
    }

    @Test("revoke-key and incident act through the context and report what they did")
    func builtIns() async throws {
        let revoke = try Requests.target(#"{"kind": "revoke-key", "key_path": "$.subject"}"#)
        let revoked = await ActionRegistry.perform(Requests.request(revoke), context: RecordingContext())
        #expect(revoked.detail?["key"] == .string("root") && revoked.detail?["revoked"] == .bool(true))
        let incident = try Requests.target(#"{"kind": "incident", "key_path": "$.data.ip"}"#)
        let raised = await ActionRegistry.perform(Requests.request(incident), context: RecordingContext())
        #expect(raised.outcome == .succeeded(status: nil) && raised.detail?["alert_seq"] == .number(JSONNumber(99)))
    }

    @Test("only host configuration is refused to the API")
    func hostConfiguration() throws {
        #expect(try Requests.target(#"{"kind": "exec", "command": "/bin/true"}"#).hostConfigurationReason != nil)
        #expect(
            try Requests.target(#"{"kind": "blocklist", "ip_path": "$.ip", "nft_file": "/x/y.nft"}"#)
                .hostConfigurationReason != nil
        )
        #expect(try Requests.target(#"{"kind": "blocklist", "ip_path": "$.ip"}"#).hostConfigurationReason == nil)
        #expect(try Requests.target(#"{"kind": "slack", "url": "https://h/x"}"#).hostConfigurationReason == nil)
    }
}
