// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCompliance

/// One text and the categories the detectors must report in it (empty for a near miss).
struct DetectorCase: Sendable, CustomTestStringConvertible {
    let name: String
    let text: String
    let memberName: String?
    let expected: Set<ComplianceCategory>

    init(_ name: String, _ text: String, member: String? = nil, _ expected: ComplianceCategory...) {
        self.name = name
        self.text = text
        self.memberName = member
        self.expected = Set(expected)
    }

    var testDescription: String { name }
}

@Suite("Compliance detectors")
struct DetectorTests {
    static let positives: [DetectorCase] = [
        DetectorCase("email alone", "alice@example.com", .email),
        DetectorCase("email in a sentence", "contact <bob.smith+tag@mail.example.co.uk> now", .email),
        DetectorCase("E.164 phone", "+14155552671", .phone),
        DetectorCase("E.164 phone with spaces", "call +44 20 7946 0958 today", .phone),
        DetectorCase("US national phone", "415-555-2671", .phone),
        DetectorCase("US phone with parentheses", "(415) 555-2671", .phone),
        DetectorCase("US phone with trunk digit", "1 415 555 2671", .phone),
        DetectorCase("UK national phone", "020 7946 0958", .phone),
        DetectorCase("French national phone", "01 23 45 67 89", .phone),
        DetectorCase("SSN", "ssn 536-90-4399", .usSSN),
        DetectorCase("Visa card", "4111 1111 1111 1111", .paymentCard),
        DetectorCase("Visa card compact", "card=4111111111111111;", .paymentCard),
        DetectorCase("Mastercard 2-series", "2223-0031-2200-3222", .paymentCard),
        DetectorCase("Amex card", "3782 822463 10005", .paymentCard),
        DetectorCase("German IBAN", "DE89370400440532013000", .iban),
        DetectorCase("UK IBAN grouped", "GB82 WEST 1234 5698 7654 32", .iban),
        DetectorCase("IPv4 address", "from 203.0.113.7 port 22", .ipAddress),
        DetectorCase("IPv6 address", "client 2001:db8::8a2e:370:7334 connected", .ipAddress),
        DetectorCase("IPv6 link-local", "fe80::1ff:fe23:4567:890a", .ipAddress),
        DetectorCase("AWS access key id", "AKIAIOSFODNN7EXAMPLE", .awsAccessKeyID),
        DetectorCase("AWS temporary key id", "key ASIAY34FZKBOKMUTVV7A used", .awsAccessKeyID),
        DetectorCase(
            "AWS secret key in a secret member",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            member: "SecretAccessKey",
            .awsSecretAccessKey
        ),
        DetectorCase(
            "AWS secret key after its name",
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            .awsSecretAccessKey
        ),
        DetectorCase(
            "RSA private key",
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA1c7\n-----END RSA PRIVATE KEY-----",
            .privateKey
        ),
        DetectorCase("PKCS 8 private key", "-----BEGIN PRIVATE KEY-----MIIEvQIBADANBg", .privateKey),
        DetectorCase(
            "JWT",
            "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
            .jwt
        ),
        DetectorCase("GitHub classic token", "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", .githubToken),
        DetectorCase(
            "GitHub fine-grained token",
            "github_pat_11ABCDEFG0123456789abc_" + String(repeating: "a1B2c3D4e5", count: 5) + "F6g7h6i5j",
            .githubToken
        ),
        DetectorCase("Slack bot token", "xoxb-2629853011-4413386726849-AbCdEfGhIjKlMnOpQrStUvWx", .slackToken),
        DetectorCase(
            "Slack webhook",
            "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
            .slackToken
        ),
        DetectorCase("password in a URL", "postgres://app:s3cr3t@db.internal:5432/app", .passwordInURL),
        DetectorCase("password in a URL without user", "redis://:hunter2@cache:6379", .passwordInURL),
        DetectorCase("two categories", "alice@example.com from 198.51.100.20", .email, .ipAddress),
    ]

    static let nearMisses: [DetectorCase] = [
        DetectorCase("not an email: no dot in the domain", "alice@localhost"),
        DetectorCase("not an email: numeric top-level label", "user@10.0.0"),
        DetectorCase("ISBN-13 with hyphens", "ISBN 978-3-16-148410-0"),
        DetectorCase("ISBN-10 with hyphens", "0-306-40615-2"),
        DetectorCase("ISBN-13 compact", "9780306406157"),
        DetectorCase("bare ten digits (a timestamp)", "1700000000"),
        DetectorCase("US number with an invalid area code", "115-555-2671"),
        DetectorCase("a date", "2026-11-05"),
        DetectorCase("a date after a plus", "+2026-11-05"),
        DetectorCase("an ISO timestamp", "2022-11-10T16:24:34Z"),
        DetectorCase("SSN with area 000", "000-12-3456"),
        DetectorCase("SSN with area 666", "666-12-3456"),
        DetectorCase("SSN with area 9xx", "912-12-3456"),
        DetectorCase("SSN with group 00", "536-00-4399"),
        DetectorCase("SSN with serial 0000", "536-90-0000"),
        DetectorCase("SSN wallet sample", "078-05-1120"),
        DetectorCase("card with an invalid Luhn checksum", "4111 1111 1111 1112"),
        DetectorCase("Luhn-valid number outside issuer ranges", "9111111111111111"),
        DetectorCase("card digits grouped oddly", "41 111 111 111 111 11"),
        DetectorCase("IBAN with a bad check", "DE89370400440532013001"),
        DetectorCase("IBAN with the wrong length", "DE8937040044053201300"),
        DetectorCase("unknown IBAN country", "ZZ89370400440532013000"),
        DetectorCase("version number with five parts", "1.2.3.4.5"),
        DetectorCase("IPv4 part above 255", "256.1.1.1"),
        DetectorCase("dotted number with a 20-digit part", "1.2.3.99999999999999999999"),
        DetectorCase("UUID", "4bf1ca5d-42ba-4e95-a493-9cdeefb58b87"),
        DetectorCase("ARN with an account id", "arn:aws:iam::457448411975:role/admin"),
        DetectorCase("unspecified IPv4", "0.0.0.0"),
        DetectorCase("time of day", "12:30:45"),
        DetectorCase("MAC address", "00:1a:2b:3c:4d:5e"),
        DetectorCase("C++ scope", "std::vector"),
        DetectorCase("IPv6 loopback", "::1"),
        DetectorCase("look-alike AWS key prefix", "AKIBIOSFODNN7EXAMPLE"),
        DetectorCase("AWS user id, not a key", "AIDACKCEVSQ6C2EXAMPLE"),
        DetectorCase("AWS key id one character short", "AKIAIOSFODNN7EXAMPL"),
        DetectorCase("lower-case AWS key id", "akiaiosfodnn7example"),
        DetectorCase("40 characters without secret context", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        DetectorCase(
            "40 lower-case characters in a secret member",
            String(repeating: "abcd", count: 10),
            member: "secret"
        ),
        DetectorCase("public key", "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0B"),
        DetectorCase("private key header without material", "-----BEGIN PRIVATE KEY-----"),
        DetectorCase("JWT-like text with a non-JSON header", "eyJub3QganNvbg.eyJzdWIiOiIxIn0.abc"),
        DetectorCase("two segments only", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0"),
        DetectorCase("look-alike GitHub prefix", "ghx_wWPw5k4aXcaT4fNP0UcnZwJUVFk6LO0pINUx"),
        DetectorCase("GitHub token too short", "ghp_wWPw5k4aXcaT4fNP0UcnZwJUVFk6LO0pINU"),
        DetectorCase("Slack prefix with a short body", "xoxb-not-a-token"),
        DetectorCase("look-alike Slack prefix", "xoxq-2629853011-4413386726849-AbCdEfGhIjKlMnOpQrStUvWx"),
        DetectorCase("URL with a user and no password", "https://alice@example.com/repo"),
        DetectorCase("URL with a masked password", "postgres://app:****@db.internal/app"),
        DetectorCase("plain words", "The quick brown fox jumps over the lazy dog"),
    ]

    @Test("every detector finds its data", arguments: positives)
    func finds(_ testCase: DetectorCase) {
        let found = ComplianceScanner().categories(in: testCase.text, memberName: testCase.memberName)
        #expect(Set(found) == testCase.expected)
    }

    @Test("near misses are not reported", arguments: nearMisses)
    func ignores(_ testCase: DetectorCase) {
        let found = ComplianceScanner().categories(in: testCase.text, memberName: testCase.memberName)
        #expect(Set(found) == testCase.expected)
    }
}
