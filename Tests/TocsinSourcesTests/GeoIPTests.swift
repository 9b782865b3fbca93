// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing
import TocsinCore
import TocsinSources

/// The MaxMind DB reader and the GeoIP enricher, against files written by an independent writer
/// (`scripts/gen-geoip-fixtures.py`; expected values cross-checked with MaxMind's own reader).
struct GeoIPTests {
    static func database(_ name: String) throws -> MaxMindDatabase {
        try MaxMindDatabase(bytes: try SourceFixtures.bytes("geoip", name))
    }

    static func address(_ text: String) throws -> IPAddress {
        try #require(IPAddress.parse(text))
    }

    @Test(arguments: [
        ("city-test.mmdb", "GeoLite2-City", 6, 28),
        ("asn-test.mmdb", "GeoLite2-ASN", 6, 24),
        ("country-v4-test.mmdb", "GeoLite2-Country", 4, 32),
    ])
    func metadataIsRead(name: String, type: String, ipVersion: Int, recordSize: Int) throws {
        let metadata = try Self.database(name).metadata
        #expect(metadata.databaseType == type)
        #expect(metadata.ipVersion == ipVersion)
        #expect(metadata.recordSize == recordSize)
        #expect(metadata.buildEpoch == 1_764_028_800)
        #expect(metadata.nodeCount > 0)
    }

    @Test(arguments: [
        ("city-test.mmdb", "203.0.113.9", ["city", "names", "en"] as [MaxMindPathStep], "Sydney", 24),
        ("city-test.mmdb", "198.51.100.7", ["city", "names", "en"], "São Paulo", 25),
        ("city-test.mmdb", "198.51.100.200", ["city", "names", "de"], "München", 25),
        ("city-test.mmdb", "2001:db8:1::5", ["subdivisions", 0, "iso_code"], "BE", 48),
        ("asn-test.mmdb", "2001:db8:ffff::1", ["autonomous_system_organization"], "Example Six", 32),
        ("asn-test.mmdb", "198.51.100.9", ["autonomous_system_organization"], "Example Transit", 24),
        ("country-v4-test.mmdb", "192.0.2.77", ["country", "names", "en"], "New Zealand", 24),
    ])
    func lookupsFollowTheTreeForEveryRecordSize(
        name: String,
        address: String,
        path: [MaxMindPathStep],
        expected: String,
        prefix: Int
    ) throws {
        let database = try Self.database(name)
        let record = try #require(try database.lookup(try Self.address(address)))
        #expect(record.prefixLength == prefix)
        #expect(try database.value(record, at: path) == .string(expected))
    }

    /// 500 networks whose later records share values first written past the first 2 KiB of data:
    /// their pointers take the longer encodings.
    @Test(arguments: [(0, "EA"), (249, "EA"), (250, "LT"), (499, "LT")])
    func pointersPastTheFirstKilobytesAreFollowed(index: Int, country: String) throws {
        let database = try Self.database("many-test.mmdb")
        let address = try Self.address("100.\(64 + index / 256).\(index % 256).9")
        let record = try #require(try database.lookup(address))
        #expect(record.prefixLength == 24)
        #expect(
            try database.value(record, at: ["city", "names", "en"]) == .string("Town \(String(format: "%03d", index))")
        )
        #expect(try database.value(record, at: ["country", "iso_code"]) == .string(country))
        #expect(
            try database.value(record)["country"]?["names"]?["en"]
                == .string(country == "LT" ? "Late Land" : "Early Land")
        )
    }

    @Test(arguments: [
        ("city-test.mmdb", "192.0.2.1"), ("city-test.mmdb", "10.1.2.3"), ("city-test.mmdb", "2001:db8:2::1"),
        ("asn-test.mmdb", "192.0.2.1"), ("country-v4-test.mmdb", "203.0.113.9"),
        ("country-v4-test.mmdb", "2001:db8:1::5"),
    ])
    func addressesNoNetworkHoldsAreAbsent(name: String, address: String) throws {
        #expect(try Self.database(name).lookup(try Self.address(address)) == nil)
    }

    @Test func absentPathsAreNil() throws {
        let database = try Self.database("city-test.mmdb")
        let record = try #require(try database.lookup(try Self.address("203.0.113.9")))
        #expect(try database.value(record, at: ["postal", "code"]) == nil)
        #expect(try database.value(record, at: ["subdivisions", 1]) == nil)
        #expect(try database.value(record, at: ["city", 0]) == nil, "an index into a map")
    }

    @Test func everyValueTypeDecodes() throws {
        let database = try Self.database("city-test.mmdb")
        let record = try #require(try database.lookup(try Self.address("203.0.113.200")))
        let traits = try #require(try database.value(record)["traits"])
        #expect(traits["is_anycast"] == .bool(false))
        #expect(traits["population"] == .unsigned(5_312_000))
        #expect(traits["big"] == .unsigned(UInt128(1) << 100 + 7))
        #expect(traits["offset"] == .int32(-36_000))
        #expect(traits["weight"] == .float(0.5))
        #expect(traits["tags"] == .array([.string("a"), .string("b"), .string("c")]))
        #expect(traits["blob"] == .bytes([0x00, 0x01, 0xFE]))
        #expect(traits["note"] == .string(String(repeating: "x", count: 300)))
        #expect(try database.value(record, at: ["location", "latitude"]) == .double(-33.8688))
        #expect(try database.value(record, at: ["location", "accuracy_radius"]) == .unsigned(20))
    }

    @Test func filesThatAreNotMaxMindDatabasesAreRefusedWithAReason() throws {
        let garbage = Array(repeating: UInt8(0x5A), count: 4096)
        #expect(throws: MaxMindError.self) { try MaxMindDatabase(bytes: garbage) }
        #expect(throws: MaxMindError.self) { try MaxMindDatabase(bytes: [UInt8]()) }
        let city = try SourceFixtures.bytes("geoip", "city-test.mmdb")
        do {
            _ = try MaxMindDatabase(bytes: Array(city.prefix(100)) + Array(city.suffix(300)))
            Issue.record("a file cut short opened")
        } catch {
            #expect(error.message.contains("does not fit the file"), "\(error)")
        }
        do {
            _ = try MaxMindDatabase(bytes: Array(city.prefix(1000)))
            Issue.record("a file without metadata opened")
        } catch {
            #expect(error.message.contains("metadata marker"), "\(error)")
        }
    }

    /// A file with no tree and no data, only the 16-byte separator and metadata that claim an IPv6 tree
    /// of `nodeCount` nodes of `recordSize`-bit records (every number written as a uint64).
    static func emptyFile(nodeCount: UInt64, recordSize: UInt64) -> [UInt8] {
        func key(_ text: String) -> [UInt8] {
            [0x40 | UInt8(text.utf8.count)] + Array(text.utf8)
        }
        func uint64(_ value: UInt64) -> [UInt8] {
            [0x08, 0x02] + (0..<8).reversed().map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
        }
        let members: [(String, UInt64)] = [
            ("binary_format_major_version", 2), ("ip_version", 6), ("record_size", recordSize),
            ("node_count", nodeCount),
        ]
        let marker: [UInt8] = [0xAB, 0xCD, 0xEF] + Array("MaxMind.com".utf8)
        let map = [0xE0 | UInt8(members.count)] + members.flatMap { key($0.0) + uint64($0.1) }
        return [UInt8](repeating: 0, count: 16) + marker + map
    }

    /// A `node_count` too large for the file is refused, never an overflow trap.
    ///
    /// The first two tree sizes fit `Int` but not with the 16-byte separator after them, and trapped
    /// before (found by code reading); the others do not fit at all.
    @Test(
        arguments: [
            (UInt64(Int.max) / 8, 32), (UInt64(Int.max) / 6, 24), (UInt64(Int.max), 28), (UInt64(Int.max) / 4, 32),
        ] as [(UInt64, UInt64)]
    )
    func nodeCountsTooLargeForTheFileAreRefused(nodeCount: UInt64, recordSize: UInt64) throws {
        let bytes = Self.emptyFile(nodeCount: nodeCount, recordSize: recordSize)
        #expect(
            try MaxMindDatabase(bytes: Self.emptyFile(nodeCount: 0, recordSize: recordSize)).metadata.nodeCount == 0
        )
        do {
            _ = try MaxMindDatabase(bytes: bytes)
            Issue.record("a tree of \(nodeCount) nodes opened in a file of \(bytes.count) bytes")
        } catch {
            #expect(error.message.contains("does not fit the file"), "\(error)")
        }
    }

    /// Every single-byte corruption of a file either refuses to open or answers lookups with a
    /// record, nothing, or an error; none traps.
    @Test func damagedFilesNeverTrap() throws {
        let city = try SourceFixtures.bytes("geoip", "city-test.mmdb")
        let enricherAddresses = try ["203.0.113.9", "198.51.100.200", "2001:db8:1::5"].map(Self.address)
        var opened = 0
        for position in city.indices {
            for flip: UInt8 in [0xFF, 0x80, 0x01] {
                var damaged = city
                damaged[position] ^= flip
                guard let database = try? MaxMindDatabase(bytes: damaged) else {
                    continue
                }
                opened += 1
                for address in enricherAddresses {
                    if let record = try? database.lookup(address) {
                        _ = try? database.value(record)
                        _ = try? database.value(record, at: ["subdivisions", 0, "iso_code"])
                    }
                }
                var view = JSONValue.object(
                    JSONObject([
                        .init(
                            name: "src_endpoint",
                            value: .object(JSONObject([.init(name: "ip", value: .string("203.0.113.9"))]))
                        )
                    ])
                )
                GeoIPEnricher(databases: [database]).enrich(&view)
            }
        }
        #expect(opened > city.count, "most corruptions leave a file that opens")
    }
}
