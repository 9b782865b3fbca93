// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore
import TocsinSources

/// Lookups of event values in the indicators of several lists.
struct IndicatorIndexTests {
    static func list(_ name: String, _ lines: String) -> ThreatIntelList {
        try! ThreatIntelList.parse(Array(lines.utf8), name: name, file: name, maxEntries: 100)
    }

    static let index = IndicatorIndex(lists: [
        list("tor-exit", "203.0.113.9\n198.51.100.0/24\n2001:db8:dead::/48\n203.0.113.9\n"),
        list("cloud", "203.0.113.0/24\n203.0.0.0/16\n"),
        list("phishing", "example.com\nEvil.Example.NET\nshop.example.org\n"),
        list("malware", "D41D8CD98F00B204E9800998ECF8427E\n"),
    ])

    struct Lookup: Sendable, CustomTestStringConvertible {
        let value: String
        /// `list type indicator` of each match, in order.
        let expected: [String]
        var testDescription: String { value }
    }

    @Test(
        "values match addresses, blocks, parent domains and hashes",
        arguments: [
            Lookup(
                value: "203.0.113.9",
                expected: ["tor-exit ip 203.0.113.9", "cloud cidr 203.0.113.0/24", "cloud cidr 203.0.0.0/16"]
            ),
            Lookup(value: "203.0.113.10", expected: ["cloud cidr 203.0.113.0/24", "cloud cidr 203.0.0.0/16"]),
            Lookup(value: "198.51.100.77", expected: ["tor-exit cidr 198.51.100.0/24"]),
            Lookup(value: "198.51.101.1", expected: []),
            Lookup(value: "2001:db8:dead:beef::1", expected: ["tor-exit cidr 2001:db8:dead::/48"]),
            Lookup(value: "2001:db8:deae::1", expected: []),
            Lookup(value: "example.com", expected: ["phishing domain example.com"]),
            Lookup(value: "a.b.EXAMPLE.com", expected: ["phishing domain example.com"]),
            Lookup(value: "notexample.com", expected: []),
            Lookup(value: "example.org", expected: []),
            Lookup(value: "cart.shop.example.org", expected: ["phishing domain shop.example.org"]),
            Lookup(value: "https://login.example.com/reset?u=1", expected: ["phishing domain example.com"]),
            Lookup(value: "bob@mail.evil.example.net", expected: ["phishing domain Evil.Example.NET"]),
            Lookup(
                value: "http://203.0.113.9:8080/",
                expected: ["tor-exit ip 203.0.113.9", "cloud cidr 203.0.113.0/24", "cloud cidr 203.0.0.0/16"]
            ),
            Lookup(
                value: "d41d8cd98f00b204e9800998ecf8427e",
                expected: ["malware hash D41D8CD98F00B204E9800998ECF8427E"]
            ),
            Lookup(
                value: "D41D8CD98F00B204E9800998ECF8427E",
                expected: ["malware hash D41D8CD98F00B204E9800998ECF8427E"]
            ),
            Lookup(value: "d41d8cd98f00b204e9800998ecf8427f", expected: []),
            Lookup(value: "com", expected: []),
        ]
    )
    func lookups(_ example: Lookup) {
        let matches = Self.index.matches(example.value)
        #expect(matches.map { "\($0.list) \($0.type.rawValue) \($0.indicator)" } == example.expected)
        #expect(matches.allSatisfy { $0.value == example.value }, "a match names the event's value as it was")
    }

    @Test("the index counts every listed indicator and knows which kinds it can match")
    func counts() {
        #expect(Self.index.count == 10)
        #expect(Self.index.kinds == .all)
        let addressesOnly = IndicatorIndex(lists: [Self.list("a", "192.0.2.0/24\n")])
        #expect(addressesOnly.kinds == [.addresses])
        #expect(addressesOnly.matches("evil.example.com").isEmpty)
        #expect(IndicatorIndex.empty.kinds.isEmpty && IndicatorIndex.empty.matches("192.0.2.1").isEmpty)
    }

    @Test("an IPv4 block never matches an IPv6 address and the reverse")
    func families() {
        let index = IndicatorIndex(lists: [Self.list("all", "0.0.0.0/0\n::/0\n")])
        #expect(index.matches("192.0.2.1").map(\.indicator) == ["0.0.0.0/0"])
        #expect(index.matches("2001:db8::1").map(\.indicator) == ["::/0"])
    }

    @Test("a match is JSON with list, indicator, type and value")
    func matchJSON() {
        let match = ThreatIntelMatch(list: "tor-exit", indicator: "198.51.100.0/24", type: .cidr, value: "198.51.100.7")
        #expect(
            JSONWriter().string(match.jsonValue)
                == #"{"list":"tor-exit","indicator":"198.51.100.0/24","type":"cidr","value":"198.51.100.7"}"#
        )
    }
}
