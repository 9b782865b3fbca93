// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore
import TocsinSources

/// What the GeoIP enricher adds to normalised views, alone and through the source decoder.
struct GeoIPEnrichmentTests {
    static func enricher() throws -> GeoIPEnricher {
        GeoIPEnricher(databases: [try GeoIPTests.database("city-test.mmdb"), try GeoIPTests.database("asn-test.mmdb")])
    }

    static func view(_ json: String) throws -> JSONValue {
        try JSONParser().parse(json)
    }

    @Test func sourceAndDestinationGetLocationAndAutonomousSystem() throws {
        var view = try Self.view(
            #"{"class_uid":3002,"src_endpoint":{"ip":"203.0.113.9"},"dst_endpoint":{"ip":"2001:db8:1::80","port":22}}"#
        )
        try Self.enricher().enrich(&view)
        let source = view["src_endpoint"]
        #expect(
            source?["location"]
                == (try Self.view(
                    #"{"city":"Sydney","country":"AU","continent":"OC","region":"NSW","lat":-33.8688,"long":151.2093}"#
                ))
        )
        #expect(source?["autonomous_system"] == (try Self.view(#"{"number":64500,"name":"Example Transit"}"#)))
        let destination = view["dst_endpoint"]
        #expect(destination?["location"]?["city"] == .string("Berlin"))
        #expect(destination?["autonomous_system"]?["number"] == .number(JSONNumber(text: "64501")))
        #expect(destination?["port"] == .number(JSONNumber(22)), "what the normaliser set stays")
    }

    @Test func whatTheViewAlreadyHasIsKept() throws {
        let original = try Self.view(
            #"{"src_endpoint":{"ip":"198.51.100.7","location":{"city":"Reported by Okta","country":"XX"}}}"#
        )
        var view = original
        try Self.enricher().enrich(&view)
        #expect(view["src_endpoint"]?["location"] == original["src_endpoint"]?["location"])
        #expect(view["src_endpoint"]?["autonomous_system"]?["name"] == .string("Example Transit"))
    }

    @Test(arguments: [
        #"{"src_endpoint":{"ip":"10.0.0.1"}}"#, #"{"src_endpoint":{"domain":"ec2.amazonaws.com"}}"#,
        #"{"src_endpoint":{"ip":"not an address"}}"#, #"{"src_endpoint":"203.0.113.9"}"#, #"{"class_uid":1}"#, "[1]",
    ])
    func viewsWithoutAKnownAddressAreUnchanged(json: String) throws {
        var view = try Self.view(json)
        try Self.enricher().enrich(&view)
        #expect(view == (try Self.view(json)))
    }

    @Test func anASNFileAloneAddsOnlyTheAutonomousSystem() throws {
        var view = try Self.view(#"{"src_endpoint":{"ip":"203.0.113.9"}}"#)
        GeoIPEnricher(databases: [try GeoIPTests.database("asn-test.mmdb")]).enrich(&view)
        #expect(view["src_endpoint"]?["location"] == nil)
        #expect(view["src_endpoint"]?["autonomous_system"]?["number"] == .number(JSONNumber(text: "64500")))
    }

    @Test func theDecoderEnrichesEveryRecordAndOnlyWhenGivenAnEnricher() throws {
        let body = [
            #"{"eventTime":"2026-01-01T00:00:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","sourceIPAddress":"203.0.113.9","eventID":"a"}"#,
            #"{"eventTime":"2026-01-01T00:00:01Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","sourceIPAddress":"198.51.100.200","eventID":"b"}"#,
        ].joined(separator: "\n")
        let enriched = try SourceDecoder(
            format: .cloudtrail,
            referenceMilliseconds: SourceFixtures.reference,
            enricher: try Self.enricher()
        ).decode(Array(body.utf8))
        #expect(enriched.entries.count == 2)
        #expect(
            enriched.entries.map { $0.ocsf?["src_endpoint"]?["location"]?["country"] } == [
                .string("AU"), .string("DE"),
            ]
        )
        let plain = try SourceDecoder(format: .cloudtrail, referenceMilliseconds: SourceFixtures.reference)
            .decode(Array(body.utf8))
        #expect(plain.entries.allSatisfy { $0.ocsf?["src_endpoint"]?["location"] == nil })
        #expect(plain.entries.first?.ocsf?["src_endpoint"]?["ip"] == .string("203.0.113.9"))
    }

    @Test func syslogAuthenticationFailuresAreEnriched() throws {
        let line =
            "<38>Nov 25 10:00:00 bastion sshd[42]: Failed password for invalid user admin from 203.0.113.9 port 50022 ssh2"
        let batch = try SourceDecoder(
            format: .syslog,
            referenceMilliseconds: SourceFixtures.reference,
            enricher: try Self.enricher()
        ).decode(Array(line.utf8))
        #expect(batch.entries.first?.ocsf?["src_endpoint"]?["location"]?["city"] == .string("Sydney"))
    }

    @Test func cachedAndUncachedAnswersAgree() throws {
        let databases = [try GeoIPTests.database("city-test.mmdb"), try GeoIPTests.database("asn-test.mmdb")]
        let cached = GeoIPEnricher(databases: databases, cacheSize: 2)
        let uncached = GeoIPEnricher(databases: databases, cacheSize: 0)
        let addresses = try ["203.0.113.9", "198.51.100.7", "2001:db8:1::1", "10.0.0.1"].map(GeoIPTests.address)
        for _ in 0..<3 {
            for address in addresses {
                let (first, second) = (cached.lookup(address), uncached.lookup(address))
                #expect(first.location == second.location && first.autonomousSystem == second.autonomousSystem)
            }
        }
        #expect(cached.lookup(addresses[0]).location?["city"] == .string("Sydney"))
        #expect(cached.lookup(addresses[3]).location == nil)
    }
}
