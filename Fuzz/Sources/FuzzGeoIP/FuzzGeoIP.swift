// SPDX-License-Identifier: Apache-2.0

import FuzzSupport
import TocsinCore
import TocsinSources

/// Addresses in the test databases' networks and outside them, IPv4 and IPv6.
private let addresses = [
    "192.0.2.1", "192.0.2.77", "198.51.100.200", "203.0.113.9", "203.0.113.200", "10.1.2.3", "100.64.0.9",
    "100.65.243.9", "0.0.0.0", "255.255.255.255", "2001:db8:1::5", "2001:db8:2::1", "::", "ffff::1",
].compactMap { IPAddress.parse($0) }

/// One input: a MaxMind DB file.
///
/// When it opens, every address is looked up, and each record found is decoded whole, member by
/// member and along the paths the GeoIP enricher reads; then the enricher itself runs. A damaged
/// file may give errors, never a trap or an out-of-bounds read.
private func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let database = try? MaxMindDatabase(bytes: FuzzInput(data, size).bytes) else {
        return 0
    }
    let paths: [[MaxMindPathStep]] = [
        ["city", "names", "en"], ["country", "iso_code"], ["subdivisions", 0, "iso_code"], ["location", "latitude"],
        ["autonomous_system_number"],
    ]
    for address in addresses {
        guard let record = try? database.lookup(address) else {
            continue
        }
        _ = try? database.value(record)
        for member in (try? database.members(record)) ?? [] {
            _ = try? database.value(member.value)
        }
        for path in paths {
            _ = try? database.value(record, at: path)
        }
    }
    let enricher = GeoIPEnricher(databases: [database], cacheSize: 0)
    for address in addresses {
        _ = enricher.lookup(address)
    }
    return 0
}

/// Runs libFuzzer on ``testOneInput(_:_:)``.
@main
enum FuzzGeoIP {
    static func main() {
        FuzzDriver.run(testOneInput)
    }
}
