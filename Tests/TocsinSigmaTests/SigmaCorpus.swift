// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing
import TocsinCore
import TocsinSigma

/// The SigmaHQ conformance corpus copied from `shared/conformance/sigma` (see its README).
enum SigmaCorpus {
    /// One rule case: a rule file, the events file it is routed to, and the 1-based lines it matches.
    struct Case: Sendable, CustomTestStringConvertible {
        let rule: String
        let events: String
        let matches: [Int]
        var testDescription: String { rule.split(separator: "/").last.map(String.init) ?? rule }
    }

    /// One of the `unsupported.json` rules (all use `expand` placeholders).
    struct PlaceholderCase: Sendable, CustomTestStringConvertible {
        let rule: String
        var testDescription: String { rule.split(separator: "/").last.map(String.init) ?? rule }
    }

    static let root: URL = {
        guard let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
            fatalError("the test bundle has no Fixtures folder")
        }
        return url.appendingPathComponent("sigma")
    }()

    static func text(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    static func cases() throws -> [Case] {
        let document = try JSONParser(limits: .init(maxBytes: 16 << 20)).parse(try text("expectations.json"))
        guard case .array(let cases)? = document["cases"] else {
            throw CorpusError.malformed("expectations.json has no cases")
        }
        return try cases.map { value in
            guard let rule = value["rule"]?.stringValue, let events = value["events"]?.stringValue,
                case .array(let lines)? = value["matches"]
            else {
                throw CorpusError.malformed("a case lacks rule, events or matches")
            }
            return Case(
                rule: rule,
                events: events,
                matches: lines.compactMap { if case .number(let number) = $0 { Int(number.text) } else { nil } }
            )
        }
    }

    static func placeholderCases() throws -> [PlaceholderCase] {
        guard case .array(let entries) = try JSONParser().parse(try text("unsupported.json")) else {
            throw CorpusError.malformed("unsupported.json is not an array")
        }
        return entries.compactMap { $0["rule"]?.stringValue }.map(PlaceholderCase.init)
    }

    /// The records of an events file: JSON lines parsed, other lines (syslog) as JSON strings.
    static func records(_ path: String) throws -> [JSONValue] {
        let lock = cacheLock
        lock.lock()
        defer { lock.unlock() }
        if let cached = cache[path] {
            return cached
        }
        let records = try text(path).split(separator: "\n", omittingEmptySubsequences: false).dropLast().map {
            line -> JSONValue in
            line.hasPrefix("{") ? try JSONParser().parse(String(line)) : .string(String(line))
        }
        cache[path] = records
        return records
    }

    static func compile(_ rule: String, options: SigmaCompileOptions = SigmaCompileOptions()) throws -> SigmaCollection
    {
        SigmaCollection(text: try text(rule), file: rule, options: options)
    }

    nonisolated(unsafe) private static var cache: [String: [JSONValue]] = [:]
    // The cache above is only read and written while holding this lock.
    private static let cacheLock = NSLock()

    enum CorpusError: Error {
        case malformed(String)
    }
}
