// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore
import TocsinSources

/// Classification of event values and of list entries, and list files.
struct IndicatorTests {
    struct Classified: Sendable, CustomTestStringConvertible {
        let value: String
        let kinds: ObservedValue.Kinds
        let expected: ObservedValue?
        var testDescription: String { "\(value.prefix(60)) → \(expected.map { "\($0)" } ?? "nothing")" }

        init(_ value: String, _ expected: ObservedValue?, kinds: ObservedValue.Kinds = .all) {
            self.value = value
            self.kinds = kinds
            self.expected = expected
        }
    }

    static func address(_ text: String) -> ObservedValue {
        .address(IPAddress.parse(text)!)
    }

    static let md5 = "d41d8cd98f00b204e9800998ecf8427e"
    static let sha1 = "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709"
    static let sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    @Test(
        "event values are classified cheaply",
        arguments: [
            Classified("203.0.113.9", address("203.0.113.9")),
            Classified("2001:DB8::1", address("2001:db8::1")),
            Classified("EVIL.Example.COM.", .domain("evil.example.com")),
            Classified("https://user:pw@Evil.Example.com:8443/path?q=1#f", .domain("evil.example.com")),
            Classified("hxxp://evil.example.com", .domain("evil.example.com")),
            Classified("http://203.0.113.9:8080/x", address("203.0.113.9")),
            Classified("https://[2001:db8::1]:443/", address("2001:db8::1")),
            Classified("ftp://files.example.org", .domain("files.example.org")),
            Classified("alice@Mail.Example.org", .domain("mail.example.org")),
            Classified(md5, .hash(md5)),
            Classified(sha1, .hash(sha1.lowercased())),
            Classified(sha256.uppercased(), .hash(sha256)),
            Classified("_dmarc.example.com", .domain("_dmarc.example.com")),
            Classified("xn--80ak6aa92e.com", .domain("xn--80ak6aa92e.com")),
            Classified("ConsoleLogin", nil),
            Classified("example", nil),
            Classified("1.2.3", nil),
            Classified("192.168.1.300", nil),
            Classified("2026-01-01T00:00:00Z", nil),
            Classified("arn:aws:iam::123456789012:user/alice", nil),
            Classified("git@github.com:org/repo.git", nil),
            Classified("a b@example.com", nil),
            Classified("two words.example.com", nil),
            Classified("example..com", nil),
            Classified(String(repeating: "a", count: 33), nil),
            Classified("", nil),
            Classified(String(repeating: "a.", count: 1_100) + "com", nil),
            Classified("203.0.113.9", nil, kinds: [.domains, .hashes]),
            Classified("evil.example.com", nil, kinds: [.addresses]),
            Classified("http://evil.example.com/", nil, kinds: [.addresses]),
            Classified("http://203.0.113.9/", address("203.0.113.9"), kinds: [.addresses]),
            Classified(md5, nil, kinds: [.domains]),
        ]
    )
    func classifies(_ example: Classified) {
        #expect(ObservedValue.classify(example.value, kinds: example.kinds) == example.expected)
    }

    struct Entry: Sendable, CustomTestStringConvertible {
        let text: String
        let expected: Indicator?
        var testDescription: String { text }
    }

    static func network(_ text: String) -> Indicator {
        guard case .success(let range) = IPRange.parseCIDR(text, allowsSingleAddress: true) else {
            fatalError(text)
        }
        return .network(range)
    }

    @Test(
        "list entries are addresses, CIDR blocks, domains or hashes",
        arguments: [
            Entry(text: "203.0.113.9", expected: .address(IPAddress.parse("203.0.113.9")!)),
            Entry(text: "198.51.100.0/24", expected: network("198.51.100.0/24")),
            Entry(text: "10.1.2.3/8", expected: network("10.0.0.0/8")),
            Entry(text: "2001:db8::/32", expected: network("2001:db8::/32")),
            Entry(text: "192.0.2.1/32", expected: network("192.0.2.1/32")),
            Entry(text: "Example.COM", expected: .domain("example.com")),
            Entry(text: "example.com.", expected: .domain("example.com")),
            Entry(text: md5.uppercased(), expected: .hash(md5)),
            Entry(text: "example", expected: nil),
            Entry(text: "*.example.com", expected: nil),
            Entry(text: "http://evil.example.com", expected: nil),
            Entry(text: "alice@example.com", expected: nil),
            Entry(text: "192.0.2.0/33", expected: nil),
            Entry(text: "192.0.2.0/", expected: nil),
            Entry(text: "ab" + md5, expected: nil),
        ]
    )
    func entries(_ example: Entry) {
        #expect(Indicator(entry: example.text) == example.expected)
        #expect(Indicator(entry: example.text)?.type == example.expected?.type)
    }

    @Test("a list file: comments, blank lines, trailing comments and CRLF; entries keep their text")
    func listFile() throws {
        let text =
            "\u{FEFF}# Tor exit nodes\r\n\r\n203.0.113.9\r\n  198.51.100.0/24   # a block\n\tEvil.Example.NET\n\(Self.md5)\n"
        let list = try ThreatIntelList.parse(Array(text.utf8), name: "tor-exit", file: "tor-exit.txt", maxEntries: 10)
        #expect(list.name == "tor-exit")
        #expect(list.entries.map(\.text) == ["203.0.113.9", "198.51.100.0/24", "Evil.Example.NET", Self.md5])
        #expect(list.entries.map(\.indicator.type) == [.ip, .cidr, .domain, .hash])
    }

    @Test("every bad line is located by file and line, without its content")
    func badLines() {
        let text = "203.0.113.9\nnot a list\n203.0.113.10 ; note\nsecret-value\nexample.com\n"
        let error = #expect(throws: EnrichmentError.self) {
            try ThreatIntelList.parse(Array(text.utf8), name: "l", file: "/intel/l.txt", maxEntries: 10)
        }
        #expect(error?.code == .invalidEntry)
        #expect(error?.diagnostics.map(\.line) == [2, 3, 4] && error?.problemCount == 3)
        #expect(error?.description.hasPrefix("/intel/l.txt:2: ") == true)
        #expect(error?.description.contains("secret-value") == false)
    }

    @Test("a list over its entry limit is refused at the line that passes it")
    func tooManyEntries() {
        let text = (1...5).map { "192.0.2.\($0)" }.joined(separator: "\n")
        let error = #expect(throws: EnrichmentError.self) {
            try ThreatIntelList.parse(Array(text.utf8), name: "l", file: "l.txt", maxEntries: 4)
        }
        #expect(error?.code == .limitExceeded && error?.diagnostics.first?.line == 5)
    }

    @Test(
        "a list is named after its file without the extension",
        arguments: [
            ("/etc/tocsin/intel/tor-exit.txt", "tor-exit"), ("abuse.ch.list", "abuse.ch"), ("bad-hashes", "bad-hashes"),
            ("/x/.hidden", ".hidden"),
        ]
    )
    func listNames(_ path: String, _ name: String) {
        #expect(ThreatIntelList.name(forFile: path) == name)
    }
}
