// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import Foundation
import TocsinCore
import TocsinRules

/// `tocsin pattern`: work with EventBridge event patterns offline.
struct PatternCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pattern",
        abstract: "Check EventBridge event patterns against events, offline.",
        subcommands: [Test.self]
    )

    /// `tocsin pattern test`, which says whether a pattern matches an event.
    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Test a pattern against an event, or a file of pattern/event pairs.",
            discussion: """
                With --pattern and --event (JSON text, or @FILE to read a file): prints 'match' and exits 0,
                prints 'no match' and exits 1, or prints the diagnostic and exits 2 when the pattern (or the
                event) is invalid.
                With --jsonl: reads lines {"id":…,"pattern":…,"event":…} from standard input (a string
                'pattern' or 'event' is raw JSON text) and writes one line per input, in order:
                {"id":…,"match":true|false} or {"id":…,"error":"…"}.
                """
        )

        @Option(help: "The pattern as JSON text, or @FILE.")
        var pattern: String?

        @Option(help: "The event as JSON text, or @FILE.")
        var event: String?

        @Flag(help: "Read pattern/event pairs as JSON lines from standard input.")
        var jsonl = false

        func validate() throws {
            if jsonl {
                guard pattern == nil, event == nil else {
                    throw ValidationError(
                        "--jsonl reads pattern and event from standard input; drop --pattern and --event"
                    )
                }
            } else if pattern == nil || event == nil {
                throw ValidationError("give both --pattern and --event, or --jsonl")
            }
        }

        func run() throws {
            if jsonl {
                runLines()
                return
            }
            let patternText = try Self.argument(pattern ?? "", name: "--pattern")
            let eventText = try Self.argument(event ?? "", name: "--event")
            let compiled: EventPattern
            do {
                compiled = try EventPattern(text: patternText)
            } catch {
                printError("invalid pattern: \(error)")
                throw ExitCode(2)
            }
            let value: JSONValue
            do {
                value = try JSONParser().parse(eventText)
            } catch {
                printError("invalid event: \(error)")
                throw ExitCode(2)
            }
            if compiled.matches(value) {
                print("match")
            } else {
                print("no match")
                throw ExitCode(1)
            }
        }

        private func runLines() {
            let writer = JSONWriter()
            var output: [UInt8] = []
            while let line = readLine(strippingNewline: true) {
                guard !line.allSatisfy(\.isWhitespace) else {
                    continue
                }
                writer.write(PatternTestLine.evaluate(Array(line.utf8)), to: &output)
                output.append(UInt8(ascii: "\n"))
                if output.count > 64 * 1024 {
                    FileHandle.standardOutput.write(Data(output))
                    output.removeAll(keepingCapacity: true)
                }
            }
            FileHandle.standardOutput.write(Data(output))
        }

        /// The argument's text, or the contents of the file it names with a leading `@`.
        static func argument(_ value: String, name: String) throws -> String {
            guard value.hasPrefix("@") else {
                return value
            }
            let path = String(value.dropFirst())
            guard let data = FileManager.default.contents(atPath: path) else {
                printError("error: \(name): cannot read file '\(path)'")
                throw ExitCode(2)
            }
            return String(decoding: data, as: UTF8.self)
        }
    }
}
