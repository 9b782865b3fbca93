// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinConfig

@Suite("Serve configuration file")
struct ServeConfigFileTests {
    private func problems(_ text: String) -> [ConfigDiagnostic] {
        do {
            _ = try ServeConfigFile(text: text, file: "/etc/tocsin/tocsin.yaml")
            return []
        } catch {
            return error.diagnostics
        }
    }

    @Test("an unknown key is refused at its line and column, with the nearest key")
    func unknownKey() throws {
        let found = problems("http: 127.0.0.1:8080\n\nmax_conections: 10\n")
        let problem = try #require(found.first)
        #expect(found.count == 1)
        #expect(problem.file == "/etc/tocsin/tocsin.yaml")
        #expect(problem.line == 3)
        #expect(problem.column == 1)
        #expect(problem.path == "$.max_conections")
        #expect(problem.message.contains("unknown key 'max_conections'; did you mean 'max_connections'?"))
        #expect(problem.description.hasPrefix("/etc/tocsin/tocsin.yaml:3:1: $.max_conections: unknown key"))
    }

    @Test("a key far from every known one gets no suggestion")
    func unknownKeyWithoutSuggestion() throws {
        let problem = try #require(problems("colour_scheme: dark").first)
        #expect(problem.message.hasPrefix("unknown key 'colour_scheme'"))
        #expect(!problem.message.contains("did you mean"))
    }

    @Test("flags are not keys: --max-body-bytes is written max_body_bytes")
    func dashedKey() throws {
        let problem = try #require(problems("max-body-bytes: 2048").first)
        #expect(problem.message.contains("did you mean 'max_body_bytes'?"))
    }

    struct TypeCase: Sendable, CustomTestStringConvertible {
        let text: String
        let line: Int
        let column: Int
        let path: String
        let message: String
        var testDescription: String { text }
    }

    static let typeCases: [TypeCase] = [
        TypeCase(
            text: "max_connections: \"1024\"",
            line: 1,
            column: 1,
            path: "$.max_connections",
            message: "max_connections must be a whole number, unquoted, e.g. max_connections: 60; found a string"
        ),
        TypeCase(
            text: "idle_timeout: 1.5",
            line: 1,
            column: 1,
            path: "$.idle_timeout",
            message: "idle_timeout must be a whole number, e.g. idle_timeout: 60"
        ),
        TypeCase(
            text: "rate_limit: fast",
            line: 1,
            column: 1,
            path: "$.rate_limit",
            message: "rate_limit must be a number, unquoted, e.g. rate_limit: 100; found a string"
        ),
        TypeCase(
            text: "insecure_no_auth: \"yes\"",
            line: 1,
            column: 1,
            path: "$.insecure_no_auth",
            message: "insecure_no_auth must be true or false, unquoted; found a string"
        ),
        TypeCase(
            text: "http: 8080",
            line: 1,
            column: 1,
            path: "$.http",
            message: "http must be a string (quote it: http: \"...\"); found a number"
        ),
        TypeCase(
            text: "syslog_allow: 10.0.0.0/8",
            line: 1,
            column: 1,
            path: "$.syslog_allow",
            message:
                "syslog_allow must be a list of strings, e.g. syslog_allow: [\"a\", \"b\"] or one '- item' a line; found a string"
        ),
        TypeCase(
            text: "geoip_db:\n  - /a.mmdb\n  - {path: /b.mmdb}",
            line: 3,
            column: 5,
            path: "$.geoip_db[1]",
            message: "geoip_db must be a list of strings; found an object"
        ),
        TypeCase(
            text: "jwt_role_scope:\n  publisher: \"{}\"",
            line: 2,
            column: 3,
            path: "$.jwt_role_scope.publisher",
            message: "jwt_role_scope must be a mapping of role to event pattern; found a string"
        ),
        TypeCase(
            text: "- http: 127.0.0.1:8080",
            line: 1,
            column: 1,
            path: "$",
            message: "the file must be a mapping of settings, e.g. 'http: 127.0.0.1:8080'; found an array"
        ),
    ]

    @Test("a value of the wrong type is refused at its location", arguments: typeCases)
    func wrongType(_ row: TypeCase) throws {
        let found = problems(row.text)
        let problem = try #require(found.first)
        #expect(found.count == 1)
        #expect(problem.line == row.line)
        #expect(problem.column == row.column)
        #expect(problem.path == row.path)
        #expect(problem.message == row.message)
    }

    @Test("every problem is reported at once")
    func allProblems() {
        let found = problems("nope: 1\nmax_streams: many\ndata_dir: /var/lib/tocsin\nalso_nope: 2\n")
        #expect(found.map(\.line) == [1, 2, 4])
    }

    @Test("secret values never appear in diagnostics")
    func redacted() {
        let found = problems("jwt_audience: 991234567\ntls_key: [s3cr3t-value]")
        #expect(found.count == 2)
        #expect(!found.map(\.description).joined().contains("991234567"))
        #expect(!found.map(\.description).joined().contains("s3cr3t-value"))
    }

    @Test("YAML that does not parse is located")
    func badYAML() throws {
        let problem = try #require(problems("http: [127.0.0.1:8080\nrules_dir: /r\n").first)
        #expect(problem.line != nil)
        #expect(problem.message.hasPrefix("YAML:"))
    }

    @Test("an empty file sets nothing")
    func emptyFile() throws {
        #expect(try ServeConfigFile(text: "# nothing yet\n", file: "t.yaml").entries.isEmpty)
    }

    @Test("every setting has its own key and environment variable, derived from its flag")
    func keysAreUnique() {
        let keys = ServeSetting.all.map(\.key)
        #expect(Set(keys).count == keys.count)
        let variables = ServeSetting.all.compactMap(\.environment)
        #expect(Set(variables).count == variables.count)
        #expect(ServeSetting.maxBodyBytes.key == "max_body_bytes")
        #expect(ServeSetting.maxBodyBytes.environment == "TOCSIN_MAX_BODY_BYTES")
        #expect(ServeSetting.execEnvironment.environment == nil)
        #expect(ServeSetting.named("geoip_db") == .geoIPDatabases)
    }
}
