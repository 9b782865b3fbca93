// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import Foundation
import TocsinConfig
import TocsinCore
import TocsinDetect
import TocsinSigma

/// `tocsin sigma`: run Sigma rules offline.
struct SigmaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sigma",
        abstract: "Run Sigma rules against log files, offline.",
        subcommands: [Test.self]
    )

    /// `tocsin sigma test`: which lines of a log file each rule matches.
    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the lines of an events file that each Sigma rule matches.",
            discussion: """
                Reads every YAML document of each --rule file (detection rules and correlation rules) and
                evaluates each detection rule on every line of --events. A line starting with '{' is a JSON
                record (the log source's own format, as CloudTrail or Okta write it); any other line is a raw
                log line (syslog), which keyword rules search as a whole.
                Prints one JSON line per detection rule, in file order:
                  {"rule":"<id, else name, else title>","matches":[<1-based line numbers>]}
                then one per correlation alert, in the order raised:
                  {"rule":"<id, else name, else title>","group":{"<field>":"<value>"},"first":<line>,"last":<line>}
                Correlations run on event time: --time-field names it (a JSON path such as $.eventTime,
                or a dotted field name; RFC 3339 text or epoch milliseconds). Without it, or where a record
                has none, the record counts at time 0, so windows hold the whole file.
                Exits 2, printing located diagnostics (file:line:column: code: message), when a rule
                cannot be compiled or a JSON line cannot be read.
                """
        )

        @Option(name: .customLong("rule"), help: "A Sigma rule file (repeatable; several documents allowed).")
        var rules: [String] = []

        @Option(help: "The events file: JSON lines or raw syslog lines.")
        var events: String

        @Option(
            help: "A field mapping file (JSON, as shared/conformance/sigma/field_mappings.json); default: Tocsin's."
        )
        var fieldMap: String?

        @Option(help: "The path of the event time in JSON records, for correlation rules (default: none).")
        var timeField: String?

        @Option(name: .customLong("placeholder"), help: "A value for an 'expand' placeholder, NAME=VALUE (repeatable).")
        var placeholders: [String] = []

        func validate() throws {
            guard !rules.isEmpty else {
                throw ValidationError("give at least one --rule FILE")
            }
            for placeholder in placeholders where !placeholder.contains("=") || placeholder.hasPrefix("=") {
                throw ValidationError("--placeholder takes NAME=VALUE, not '\(placeholder)'")
            }
        }

        func run() throws {
            var options = SigmaCompileOptions()
            for placeholder in placeholders {
                let name = String(placeholder.prefix { $0 != "=" })
                options.placeholders[name, default: []].append(String(placeholder.dropFirst(name.count + 1)))
            }
            if let fieldMap {
                do {
                    options.fieldMapping = try SigmaFieldMapping(json: try JSONParser().parse(try Self.read(fieldMap)))
                } catch {
                    printError("\(fieldMap): \(error)")
                    throw ExitCode(2)
                }
            }
            var run = SigmaTestRun(timeField: timeField)
            var diagnostics: [SigmaDiagnostic] = []
            for file in rules {
                let collection = SigmaCollection(text: try Self.read(file), file: file, options: options)
                diagnostics += collection.diagnostics
                run.rules += collection.rules
                run.correlations += collection.correlations
                run.correlationFiles += collection.correlations.map { _ in file }
            }
            let problems = diagnostics.map(\.description) + run.definitions.problems().map(\.description)
            guard problems.isEmpty else {
                for problem in problems {
                    printError(problem)
                }
                throw ExitCode(2)
            }
            do {
                run.records = try SigmaTestRun.records(try Self.read(events))
            } catch {
                printError("\(events): \(error)")
                throw ExitCode(2)
            }
            for line in run.outputLines() {
                print(line)
            }
        }

        private static func read(_ path: String) throws -> String {
            do {
                return try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                printError("cannot read \(path) as UTF-8 text")
                throw ExitCode(2)
            }
        }
    }
}

/// One `tocsin sigma test` run as a function of its inputs: rules, correlations and numbered records
/// in, output lines out.
struct SigmaTestRun {
    /// The detection rules, in file order.
    var rules: [SigmaRule] = []
    /// The correlation rules, in file order.
    var correlations: [SigmaCorrelation] = []
    /// The file of each correlation.
    var correlationFiles: [String] = []
    /// Each record with its 1-based line number.
    var records: [(line: Int, record: JSONValue)] = []
    /// The path of the event time, for correlations.
    var timeField: String?

    /// A line that cannot be read as a record.
    struct RecordError: Error, CustomStringConvertible {
        let line: Int
        let message: String

        var description: String {
            "line \(line): \(message)"
        }
    }

    /// The records of an events file: `{`-lines as JSON, other non-empty lines as raw text.
    static func records(_ text: String) throws(RecordError) -> [(line: Int, record: JSONValue)] {
        var records: [(line: Int, record: JSONValue)] = []
        let parser = JSONParser()
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.hasSuffix("\r") ? line.dropLast() : line
            if trimmed.allSatisfy(\.isWhitespace) {
                continue
            }
            if trimmed.first == "{" {
                do {
                    records.append((index + 1, try parser.parse(Array(trimmed.utf8))))
                } catch {
                    throw RecordError(
                        line: index + 1,
                        message: "invalid JSON at byte \(error.offset): \(error.message)"
                    )
                }
            } else {
                records.append((index + 1, .string(String(trimmed))))
            }
        }
        return records
    }

    /// The rules and correlations as definitions (correlations may chain onto correlations).
    var definitions: SigmaDefinitions {
        var definitions = SigmaDefinitions()
        definitions.rules = rules
        definitions.correlations = correlations
        definitions.correlationFiles = correlationFiles
        return definitions
    }

    /// One JSON line per detection rule, `{"rule": <reference>, "matches": [lines]}`, then one per
    /// correlation alert, `{"rule", "group", "first", "last"}`.
    func outputLines() -> [String] {
        let table = DetectionTable(rules: [], sigma: definitions, sigmaMode: .records)
        let context = DetectionContext()
        var engines = try? DetectionEngines(table: table)
        var matches = [[JSONValue]](repeating: [], count: rules.count)
        var alerts: [DetectionEngines.Raised] = []
        let timePath = timeField.flatMap { JSONPath($0.hasPrefix("$") ? $0 : "$." + $0) }
        for (line, record) in records {
            let evaluation = table.evaluate(record, context: context)
            for rule in evaluation.sigmaMatches {
                matches[rule].append(.number(JSONNumber(Int64(line))))
            }
            let time = timePath.flatMap { Self.milliseconds($0.evaluate(record)) } ?? 0
            alerts += engines?.observe(evaluation, sequence: Int64(line), time: time) ?? []
        }
        alerts += engines?.finish() ?? []
        let writer = JSONWriter()
        let detections = rules.indices.map { index in
            writer.string(
                .object(
                    JSONObject([
                        .init(name: "rule", value: .string(rules[index].metadata.reference)),
                        .init(name: "matches", value: .array(matches[index])),
                    ])
                )
            )
        }
        return detections
            + alerts.map { raised in
                let (source, alert) = (raised.source, raised.alert)
                let group = zip(source.groupFields, alert.group).map { JSONObject.Member(name: $0, value: .string($1)) }
                return writer.string(
                    .object(
                        JSONObject([
                            .init(name: "rule", value: .string(source.name)),
                            .init(name: "group", value: .object(JSONObject(group))),
                            .init(name: "first", value: .number(JSONNumber(alert.evidence.first ?? 0))),
                            .init(name: "last", value: .number(JSONNumber(alert.evidence.last ?? 0))),
                        ])
                    )
                )
            }
    }

    /// An event time: RFC 3339 text, or a number of epoch milliseconds.
    static func milliseconds(_ value: JSONValue?) -> Int64? {
        switch value {
        case .string(let text)?: Timestamp(rfc3339: text)?.epochMilliseconds
        case .number(let number)?: number.int64Value
        default: nil
        }
    }
}
