// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing
import TocsinCore
import TocsinTesting

/// `tocsin pattern test` as a user runs it: exit codes, @file arguments and the JSON-lines mode.
struct PatternCommandTests {
    let consoleLoginWithoutMFA = #"{"eventName":["ConsoleLogin"],"additionalEventData":{"MFAUsed":["No"]}}"#
    let login = #"{"eventName":"ConsoleLogin","additionalEventData":{"MFAUsed":"No"},"sourceIPAddress":"203.0.113.7"}"#

    @Test func exitCodesSayMatchNoMatchOrInvalid() async throws {
        let match = try await runTocsin(["pattern", "test", "--pattern", consoleLoginWithoutMFA, "--event", login])
        #expect(match.status == 0)
        #expect(match.output == "match\n")

        let other = #"{"eventName":"ConsoleLogin","additionalEventData":{"MFAUsed":"Yes"}}"#
        let noMatch = try await runTocsin(["pattern", "test", "--pattern", consoleLoginWithoutMFA, "--event", other])
        #expect(noMatch.status == 1)
        #expect(noMatch.output == "no match\n")

        let invalid = try await runTocsin([
            "pattern", "test", "--pattern", #"{"n":[{"numeric":["<",5,">",1]}]}"#, "--event", login,
        ])
        #expect(invalid.status == 2)
        #expect(invalid.errors.contains("$.n[0].numeric: numeric: lower bound must come first"))
    }

    @Test func readsArgumentsFromFiles() async throws {
        let directory = try TemporaryDirectory()
        let patternFile = directory.path + "/pattern.json"
        let eventFile = directory.path + "/event.json"
        try Data(#"{"sourceIPAddress":[{"anything-but":{"prefix":"10."}}]}"#.utf8).write(
            to: URL(fileURLWithPath: patternFile)
        )
        try Data(login.utf8).write(to: URL(fileURLWithPath: eventFile))
        let result = try await runTocsin([
            "pattern", "test", "--pattern", "@" + patternFile, "--event", "@" + eventFile,
        ])
        #expect(result.status == 0)
        let missing = try await runTocsin(["pattern", "test", "--pattern", "@/nonexistent", "--event", login])
        #expect(missing.status == 2)
    }

    @Test func jsonLinesAnswerEveryLineInOrder() async throws {
        let input =
            [
                #"{"id":"a","pattern":{"user":["root"]},"event":{"user":"root"}}"#,
                #"{"id":2,"pattern":"{\"user\":[\"x\"],\"user\":[\"root\"]}","event":"{\"user\":\"root\"}"}"#,
                #"{"id":"c","pattern":{"user":[{"wildcard":"a**"}]},"event":{"user":"root"}}"#,
                #"not json"#,
                #"{"id":"e","pattern":{"user":["admin"]},"event":{"user":"root"}}"#,
            ].joined(separator: "\n") + "\n"
        let result = try await runTocsin(["pattern", "test", "--jsonl"], input: Array(input.utf8))
        #expect(result.status == 0)
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines.count == 5)
        #expect(lines[0] == #"{"id":"a","match":true}"#)
        #expect(lines[1] == #"{"id":2,"match":true}"#)
        #expect(lines[2].hasPrefix(#"{"id":"c","error":"$.user[0].wildcard: wildcard: '**' is not allowed"#))
        #expect(lines[3].hasPrefix(#"{"id":null,"error":"line is not JSON"#))
        #expect(lines[4] == #"{"id":"e","match":false}"#)
    }
}
