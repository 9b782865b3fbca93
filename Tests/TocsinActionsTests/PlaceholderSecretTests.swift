// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinConfig
import TocsinCore

@testable import TocsinActions

/// A secret copied from an example (`"…"`) is refused with a located diagnostic, not used to sign.
struct PlaceholderSecretTests {
    @Test(
        "obvious placeholders are refused; real values, however short, are kept",
        arguments: [
            ("…", true), ("...", true), ("xxxx", true), ("<secret>", true), ("ChangeMe", true),
            ("{{ webhook_secret }}", true), ("${SECRET}", true), ("  ", true), ("s3cret", false), ("k", false),
            ("9f86d081884c7d659a2feaa0c55ad015", false),
        ]
    )
    func recognised(_ value: String, _ isPlaceholder: Bool) {
        #expect(PlaceholderSecret.isPlaceholder(value) == isPlaceholder)
    }

    @Test("a webhook target with the documentation's placeholder secret is refused at $.secret")
    func webhookRefused() throws {
        let json = try JSONParser().parse(#"{"kind": "webhook", "url": "https://soc.example/hook", "secret": "…"}"#)
        do {
            _ = try TargetDefinition(name: "hook", json: json, kinds: ActionRegistry.targetKinds)
            Issue.record("the placeholder secret was accepted")
        } catch {
            #expect(error.diagnostics.map(\.path) == ["$.secret"])
            #expect(error.diagnostics.first?.message.contains("openssl rand -hex 32") == true)
        }
    }
}
