// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinActions
import TocsinConfig
import TocsinCore

/// Each kind's secrets leave a target's definition as fingerprints (the template its events
/// carry), and the secrets put back in their place give the definition again.
struct TargetSecretTemplateTests {
    static let secrets = ["R0UT1NGKEY", "PASSW0RD", "T0KEN", "S1GN1NG", "H3ADER", "XXXXSECRETXXXX"]

    @Test(
        "every secret of every kind with secrets becomes its fingerprint, and filling them in restores the definition",
        arguments: [
            #"{"kind": "pagerduty", "routing_key": "R0UT1NGKEY", "severity": "critical"}"#,
            #"{"kind": "webhook", "url": "https://user:PASSW0RD@soc.example/hook?token=T0KEN", "secret": "S1GN1NG", "headers": {"Authorization": "Bearer H3ADER"}, "retry": {"max_attempts": 3}}"#,
            #"{"kind": "jira", "url": "https://jira.example/rest/api/2/issue", "project": "SEC", "headers": {"Authorization": "Basic H3ADER"}}"#,
            #"{"kind": "slack", "url": "https://hooks.slack.com/services/T000/B000/XXXXSECRETXXXX", "dry_run": true}"#,
        ]
    )
    func split(_ text: String) throws {
        let definition = try JSONParser().parse(Array(text.utf8))
        let target = try Requests.target(text)
        let split = TargetSecretTemplate(definition, target: target, redactor: Requests.redactor)
        let template = JSONWriter().string(split.template)
        for secret in Self.secrets {
            #expect(!template.contains(secret), "\(template)")
        }
        #expect(!split.secrets.isEmpty && split.fingerprints == split.secrets.keys.sorted())
        for (fingerprint, secret) in split.secrets {
            #expect(Requests.redactor.fingerprint(secret) == fingerprint && template.contains(fingerprint))
        }
        #expect(split.definition == definition)
    }

    @Test("a kind without secrets keeps its definition whole")
    func noSecrets() throws {
        let text = #"{"kind": "incident", "key_path": "$.data.user", "severity": "high"}"#
        let definition = try JSONParser().parse(Array(text.utf8))
        let split = TargetSecretTemplate(definition, target: try Requests.target(text), redactor: Requests.redactor)
        #expect(split.template == definition && split.secrets.isEmpty)
    }
}
