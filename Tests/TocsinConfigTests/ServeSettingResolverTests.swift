// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinConfig

@Suite("Serve setting precedence")
struct ServeSettingResolverTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let setting: ServeSetting
        let flag: [String]
        let environment: [String: String]
        let file: String
        let values: [String]?
        let source: String?

        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "flag beats environment and file",
            setting: .maxConnections,
            flag: ["10"],
            environment: ["TOCSIN_MAX_CONNECTIONS": "20"],
            file: "max_connections: 30",
            values: ["10"],
            source: "the command line"
        ),
        Case(
            name: "environment beats file",
            setting: .maxConnections,
            flag: [],
            environment: ["TOCSIN_MAX_CONNECTIONS": "20"],
            file: "max_connections: 30",
            values: ["20"],
            source: "environment variable TOCSIN_MAX_CONNECTIONS"
        ),
        Case(
            name: "file when neither flag nor environment",
            setting: .maxConnections,
            flag: [],
            environment: [:],
            file: "http: 127.0.0.1:9000\nmax_connections: 30",
            values: ["30"],
            source: "tocsin.yaml:2:1"
        ),
        Case(
            name: "nothing set leaves the default",
            setting: .maxConnections,
            flag: [],
            environment: ["TOCSIN_MAX_STREAMS": "3"],
            file: "max_streams: 4",
            values: nil,
            source: nil
        ),
        Case(
            name: "an empty environment variable is unset",
            setting: .http,
            flag: [],
            environment: ["TOCSIN_HTTP": ""],
            file: "http: 127.0.0.1:9000",
            values: ["127.0.0.1:9000"],
            source: "tocsin.yaml:1:1"
        ),
        Case(
            name: "an empty file value is unset",
            setting: .tlsCertificate,
            flag: [],
            environment: [:],
            file: "tls_cert:",
            values: nil,
            source: nil
        ),
        Case(
            name: "repeated flags replace the file's list, not extend it",
            setting: .syslogAllow,
            flag: ["10.0.0.0/8"],
            environment: [:],
            file: "syslog_allow: [192.0.2.0/24, 198.51.100.7]",
            values: ["10.0.0.0/8"],
            source: "the command line"
        ),
        Case(
            name: "a list variable is split at commas",
            setting: .syslogAllow,
            flag: [],
            environment: ["TOCSIN_SYSLOG_ALLOW": "10.0.0.0/8,192.0.2.7"],
            file: "syslog_allow: [192.0.2.0/24]",
            values: ["10.0.0.0/8", "192.0.2.7"],
            source: "environment variable TOCSIN_SYSLOG_ALLOW"
        ),
        Case(
            name: "a file list keeps its items",
            setting: .geoIPDatabases,
            flag: [],
            environment: [:],
            file: "geoip_db:\n  - /a.mmdb\n  - /b,c.mmdb",
            values: ["/a.mmdb", "/b,c.mmdb"],
            source: "tocsin.yaml:1:1"
        ),
        Case(
            name: "a boolean variable other than 1 or true turns the file's true off",
            setting: .insecureNoAuth,
            flag: [],
            environment: ["TOCSIN_INSECURE_NO_AUTH": "0"],
            file: "insecure_no_auth: true",
            values: ["false"],
            source: "environment variable TOCSIN_INSECURE_NO_AUTH"
        ),
        Case(
            name: "a boolean from the file",
            setting: .insecureNoAuth,
            flag: [],
            environment: [:],
            file: "insecure_no_auth: true",
            values: ["true"],
            source: "tocsin.yaml:1:1"
        ),
        Case(
            name: "a setting without a variable ignores look-alike names",
            setting: .execEnvironment,
            flag: [],
            environment: ["TOCSIN_EXEC_ENV": "A=1"],
            file: "exec_env: [HTTPS_PROXY]",
            values: ["HTTPS_PROXY"],
            source: "tocsin.yaml:1:1"
        ),
        Case(
            name: "role scopes from the file become ROLE=PATTERN arguments",
            setting: .jwtRoleScopes,
            flag: [],
            environment: [:],
            file: "jwt_role_scope:\n  publisher: {source: [{prefix: /okta/}]}",
            values: [#"publisher={"source":[{"prefix":"/okta/"}]}"#],
            source: "tocsin.yaml:1:1"
        ),
        Case(
            name: "role scopes from the environment stay one JSON object",
            setting: .jwtRoleScopes,
            flag: [],
            environment: ["TOCSIN_JWT_ROLE_SCOPES": #"{"publisher":{"source":["a"]}}"#],
            file: "jwt_role_scope:\n  publisher: {source: [b]}",
            values: [#"{"publisher":{"source":["a"]}}"#],
            source: "environment variable TOCSIN_JWT_ROLE_SCOPES"
        ),
    ]

    @Test("flag > TOCSIN_* environment > file > default", arguments: cases)
    func precedence(_ row: Case) throws {
        let file = try ServeConfigFile(text: row.file, file: "tocsin.yaml")
        let resolver = ServeSettingResolver(environment: row.environment, file: file)
        let resolved = resolver.resolve(row.setting, flag: row.flag)
        #expect(resolved?.values == row.values)
        #expect(resolved?.source.description == row.source)
    }

    @Test("without a file, the environment is the last layer")
    func noFile() {
        let resolver = ServeSettingResolver(environment: ["TOCSIN_RULES_DIR": "/r"], file: nil)
        #expect(resolver.resolve(.rulesDirectory, flag: [])?.values == ["/r"])
        #expect(resolver.resolve(.dataDirectory, flag: []) == nil)
    }
}
