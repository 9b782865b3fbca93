// SPDX-License-Identifier: Apache-2.0

public import TocsinCore
import TocsinResponse

extension TargetDefinition {
    /// The kinds accepted in the `kind` field.
    public static let kindNames = [
        "webhook", "slack", "pagerduty", "jira", "exec", "blocklist", "incident", "revoke-key",
    ]

    /// Reads a target definition, reporting every problem at once.
    ///
    /// - Throws: ``ConfigError`` with one diagnostic per problem.
    public init(name: String, json: JSONValue) throws(ConfigError) {
        var diagnostics: [ConfigDiagnostic] = []
        if let problem = DefinitionName.problem(name) {
            diagnostics.append(ConfigDiagnostic(path: "$", message: problem))
        }
        guard var reader = ObjectReader(json, path: "$", diagnostics: &diagnostics) else {
            throw ConfigError(diagnostics)
        }
        let kindName = reader.string("kind", required: true) ?? ""
        let kind = Self.readKind(kindName, reader: &reader)
        let dryRun = reader.bool("dry_run", default: false)
        let autoRedrive = reader.bool("auto_redrive", default: false)
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
        guard diagnostics.isEmpty, let kind else {
            throw ConfigError(diagnostics)
        }
        self.init(
            name: name,
            kind: kind,
            dryRun: dryRun,
            retry: retry,
            circuitBreaker: breaker,
            maxConcurrency: Int(concurrency),
            timeoutMilliseconds: timeout * 1000,
            autoRedrive: autoRedrive
        )
    }

    private static func readKind(_ kind: String, reader: inout ObjectReader) -> Kind? {
        switch kind {
        case "webhook", "slack", "pagerduty", "jira":
            let format = TargetDefinition.Webhook.Format(rawValue: kind) ?? .webhook
            let defaultURL = format == .pagerduty ? "https://events.pagerduty.com/v2/enqueue" : nil
            let url = reader.string("url", required: defaultURL == nil) ?? defaultURL ?? ""
            if !url.isEmpty, !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
                reader.diagnostics.append(
                    ConfigDiagnostic(path: "$.url", message: "must be an http:// or https:// URL")
                )
            }
            let secret = reader.string("secret", required: format == .pagerduty)
            var headers: [String: String] = [:]
            if let value = reader.value("headers") {
                if case .object(let object) = value {
                    for member in object.members {
                        if case .string(let text) = member.value {
                            headers[member.name] = text
                        } else {
                            reader.diagnostics.append(
                                ConfigDiagnostic(path: "$.headers.\(member.name)", message: "must be a string")
                            )
                        }
                    }
                } else {
                    reader.diagnostics.append(
                        ConfigDiagnostic(path: "$.headers", message: "must be an object of header names to values")
                    )
                }
            }
            let project = format == .jira ? reader.string("project", required: true) : nil
            let issueType = format == .jira ? reader.string("issue_type") ?? "Task" : "Task"
            let severity = format == .pagerduty ? reader.string("severity") ?? "error" : "error"
            if format == .pagerduty, !["critical", "error", "warning", "info"].contains(severity) {
                reader.diagnostics.append(
                    ConfigDiagnostic(path: "$.severity", message: "must be critical, error, warning or info")
                )
            }
            return .webhook(
                Webhook(
                    format: format,
                    url: url,
                    secret: secret,
                    headers: headers,
                    project: project,
                    issueType: issueType,
                    severity: severity
                )
            )
        case "exec":
            let command = reader.string("command", required: true) ?? ""
            if !command.isEmpty, !command.hasPrefix("/") {
                reader.diagnostics.append(
                    ConfigDiagnostic(path: "$.command", message: "must be an absolute path (no PATH lookup)")
                )
            }
            var arguments: [String] = []
            if let value = reader.value("args") {
                if case .array(let elements) = value, elements.allSatisfy({ $0.stringValue != nil }) {
                    arguments = elements.compactMap(\.stringValue)
                } else {
                    reader.diagnostics.append(ConfigDiagnostic(path: "$.args", message: "must be an array of strings"))
                }
            }
            var permanent: Set<Int32> = []
            if let value = reader.value("permanent_exit_codes") {
                var codes: [Int64] = []
                if case .array(let elements) = value {
                    codes = elements.compactMap { element in
                        if case .number(let number) = element { number.int64Value } else { nil }
                    }
                }
                if case .array(let elements) = value, codes.count == elements.count,
                    codes.allSatisfy({ (1...255).contains($0) })
                {
                    permanent = Set(codes.map { Int32($0) })
                } else {
                    reader.diagnostics.append(
                        ConfigDiagnostic(
                            path: "$.permanent_exit_codes",
                            message: "must be an array of exit statuses from 1 to 255"
                        )
                    )
                }
            }
            return .exec(Exec(command: command, arguments: arguments, permanentExitCodes: permanent))
        case "blocklist":
            let path = reader.jsonPath("ip_path", required: true)
            let ttl = reader.integer("ttl_seconds", default: 3600, range: 1...31_536_000)
            let file = reader.string("nft_file")
            if let file, !file.hasPrefix("/") {
                reader.diagnostics.append(ConfigDiagnostic(path: "$.nft_file", message: "must be an absolute path"))
            }
            return path.map { .blocklist(Blocklist(ipPath: $0, ttlSeconds: ttl, nftFile: file)) }
        case "incident":
            let key = reader.jsonPath("key_path", required: true)
            let title = reader.jsonPath("title_path")
            let severityName = reader.string("severity") ?? Alert.Level.high.rawValue
            let severity = Alert.Level(rawValue: severityName)
            if severity == nil {
                reader.diagnostics.append(
                    ConfigDiagnostic(path: "$.severity", message: "must be one of \(Alert.Level.names)")
                )
            }
            return key.map { .incident(Incident(keyPath: $0, titlePath: title, severity: severity ?? .high)) }
        case "revoke-key":
            return reader.jsonPath("key_path", required: true).map { .revokeKey(keyPath: $0) }
        case "":
            return nil
        default:
            reader.diagnostics.append(
                ConfigDiagnostic(
                    path: "$.kind",
                    message: "unknown kind; use one of \(kindNames.joined(separator: ", "))"
                )
            )
            return nil
        }
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
