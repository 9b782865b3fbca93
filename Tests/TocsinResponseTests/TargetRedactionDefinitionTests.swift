// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCompliance
import TocsinConfig
import TocsinCore

/// A target's `redact_categories` (docs/compliance.md): read, shown by the API, and checked.
struct TargetRedactionDefinitionTests {
    @Test("redact_categories is read and shown; absent, nothing is redacted")
    func read() throws {
        let target = try TargetDefinition(
            name: "partner",
            json: try JSONParser().parse(
                #"{"kind": "webhook", "url": "http://127.0.0.1:9000/hook", "redact_categories": ["ip_address", "email"]}"#
            )
        )
        #expect(target.redactCategories.map(\.rawValue) == ["email", "ip_address"])
        #expect(target.redactedJSON["redact_categories"] == .array([.string("email"), .string("ip_address")]))
        let plain = try TargetDefinition(
            name: "plain",
            json: try JSONParser().parse(#"{"kind": "webhook", "url": "http://127.0.0.1:9000/hook"}"#)
        )
        #expect(plain.redactCategories.isEmpty)
        #expect(plain.redactedJSON["redact_categories"] == nil)
    }

    @Test("an unknown category or a non-list is located at the key")
    func diagnostics() throws {
        for (value, message) in [
            (#"["email", "passport"]"#, "has unknown category"), (#""email""#, "must be an array"),
        ] {
            let text = #"{"kind": "webhook", "url": "http://127.0.0.1:9000/hook", "redact_categories": \#(value)}"#
            let json = try JSONParser().parse(text)
            do {
                _ = try TargetDefinition(name: "t", json: json)
                Issue.record("accepted \(value)")
            } catch {
                #expect(error.diagnostics.map(\.path) == ["$.redact_categories"])
                #expect(error.diagnostics.first?.message.hasPrefix(message) == true, "\(error.diagnostics)")
            }
        }
    }
}
