// SPDX-License-Identifier: Apache-2.0

import TocsinCompliance
public import TocsinCore
import TocsinResponse

extension TargetDefinition {
    /// Reads a target definition, reporting every problem at once.
    ///
    /// - Parameters:
    ///   - name: The target's name.
    ///   - json: The definition object.
    ///   - kinds: The kinds that may follow `kind:`.
    /// - Throws: ``ConfigError`` with one diagnostic per problem.
    public init(name: String, json: JSONValue, kinds: TargetKinds) throws(ConfigError) {
        var diagnostics: [ConfigDiagnostic] = []
        if let problem = DefinitionName.problem(name) {
            diagnostics.append(ConfigDiagnostic(path: "$", message: problem))
        }
        guard var reader = ObjectReader(json, path: "$", diagnostics: &diagnostics) else {
            throw ConfigError(diagnostics)
        }
        let kindName = reader.string("kind", required: true) ?? ""
        var settings: (any TargetSettings)?
        if let kind = kinds.kind(named: kindName) {
            settings = kind.read(&reader)
        } else if !kindName.isEmpty {
            reader.report("kind", "unknown kind; use one of \(kinds.names.joined(separator: ", "))")
        }
        let dryRun = reader.bool("dry_run", default: false)
        let autoRedrive = reader.bool("auto_redrive", default: false)
        let redactCategories = Self.categories(&reader, key: "redact_categories")
        let timeout = reader.integer("timeout_seconds", default: 5, range: 1...3600)
        let concurrency = reader.integer("max_concurrency", default: 16, range: 1...1024)
        var retry = RetryPolicy()
        if let value = reader.value("retry"),
            var retryReader = ObjectReader(value, path: "$.retry", diagnostics: &reader.diagnostics)
        {
            retry.maxAttempts = Int(retryReader.integer("max_attempts", default: 185, range: 1...10_000))
            retry.maxEventAgeMilliseconds =
                retryReader.integer("max_event_age_seconds", default: 86_400, range: 1...604_800) * 1000
            retry.baseDelayMilliseconds = retryReader.integer("base_delay_ms", default: 1000, range: 1...3_600_000)
            retry.maxDelayMilliseconds = max(
                retry.baseDelayMilliseconds,
                retryReader.integer("max_delay_seconds", default: 300, range: 1...86_400) * 1000
            )
            retryReader.rejectUnknown()
            reader.diagnostics += retryReader.diagnostics
        }
        var breaker = CircuitBreaker.Settings()
        if let value = reader.value("circuit_breaker"),
            var breakerReader = ObjectReader(value, path: "$.circuit_breaker", diagnostics: &reader.diagnostics)
        {
            breaker.failureThreshold = Int(breakerReader.integer("failure_threshold", default: 5, range: 1...10_000))
            breaker.openMilliseconds = breakerReader.integer("open_seconds", default: 30, range: 1...86_400) * 1000
            breakerReader.rejectUnknown()
            reader.diagnostics += breakerReader.diagnostics
        }
        reader.rejectUnknown()
        diagnostics += reader.diagnostics
        guard diagnostics.isEmpty, let settings else {
            throw ConfigError(diagnostics)
        }
        self.init(
            name: name,
            settings: settings,
            dryRun: dryRun,
            retry: retry,
            circuitBreaker: breaker,
            maxConcurrency: Int(concurrency),
            timeoutMilliseconds: timeout * 1000,
            autoRedrive: autoRedrive
        )
        self.redactCategories = redactCategories
    }

    /// The category names at `key` (none when absent), with a diagnostic for each unknown one.
    static func categories(_ reader: inout ObjectReader, key: String) -> ComplianceCategorySet {
        var categories = ComplianceCategorySet()
        for name in reader.strings(key) {
            guard let category = ComplianceCategory(rawValue: name) else {
                let known = ComplianceCategory.allCases.map(\.rawValue).joined(separator: ", ")
                reader.report(key, "has unknown category \"\(name)\"; use one of \(known)")
                continue
            }
            categories.insert(category)
        }
        return categories
    }
}

/// Rule and target names: what the API path and YAML file names allow.
enum DefinitionName {
    static func problem(_ name: String) -> String? {
        let allowed = name.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
        }
        guard !name.isEmpty, name.utf8.count <= 128, allowed else {
            return "names are 1 to 128 characters of letters, digits, '-', '_' and '.'"
        }
        return nil
    }
}
