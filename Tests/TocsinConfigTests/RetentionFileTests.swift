// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinConfig
import TocsinCore

struct RetentionFileTests {
    @Test("a retention file reads into rules in order and a default")
    func reads() throws {
        let policy = try RetentionFile.policy(
            text: """
                default: 365d
                rules:
                  - source: "aws.cloudtrail*"
                    type: "*"
                    keep: 90d
                  - source: "/tocsin/*"
                    keep: forever
                  - type: "*.debug"
                    keep: 12h
                """,
            file: "retention.yaml"
        )
        let day: Int64 = 86_400_000
        #expect(policy.defaultKeepMilliseconds == 365 * day)
        #expect(
            policy.rules == [
                .init(source: "aws.cloudtrail*", type: "*", keepMilliseconds: 90 * day),
                .init(source: "/tocsin/*", type: "*", keepMilliseconds: nil),
                .init(source: "*", type: "*.debug", keepMilliseconds: 12 * 3_600_000),
            ]
        )
    }

    @Test("an empty file keeps everything forever")
    func empty() throws {
        #expect(try RetentionFile.policy(text: "", file: "r.yaml") == RetentionPolicy())
    }

    @Test("every problem is reported at once, located, without the value")
    func diagnostics() {
        let text = """
            default: soon
            rules:
              - source: "aws.*"
                keep: 90x
              - source: ""
                keep: 1d
              - type: "a"
              - colour: red
                keep: 1d
            extra: 1
            """
        #expect {
            try RetentionFile.policy(text: text, file: "retention.yaml")
        } throws: { error in
            guard let error = error as? ConfigError else {
                return false
            }
            let places = error.diagnostics.map { "\($0.line ?? 0):\($0.column ?? 0) \($0.path)" }
            let messages = error.diagnostics.map(\.message).joined(separator: "\n")
            return places == [
                "1:1 $.default",
                "4:5 $.rules[0].keep",
                "5:5 $.rules[1].source",
                "7:5 $.rules[2]",
                "8:5 $.rules[3].colour",
                "10:1 $.extra",
            ] && !messages.contains("soon") && !messages.contains("90x") && !messages.contains("red")
        }
    }
}
