// SPDX-License-Identifier: Apache-2.0

import Benchmark
import BenchmarkFixtures
import Foundation
import TocsinCore
import TocsinSources

/// sshd / sudo lines in the shapes of a brute-forced bastion's auth.log (written for this
/// benchmark; the loghub corpus the peers were measured on may not be redistributed).
let lines: [String] = {
    let templates = [
        "Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186 port 38926",
        "Dec 10 06:55:46 LabSZ sshd[24200]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=173.234.31.186",
        "Dec 10 06:55:48 LabSZ sshd[24200]: Failed password for invalid user webmaster from 173.234.31.186 port 38926 ssh2",
        "Dec 10 06:55:48 LabSZ sshd[24200]: Connection closed by 173.234.31.186 port 38926 [preauth]",
        "Dec 10 07:02:47 LabSZ sshd[24203]: Received disconnect from 212.47.254.145 port 47382:11: Bye Bye [preauth]",
        "Dec 10 07:07:38 LabSZ sshd[24206]: Failed password for root from 52.80.34.196 port 36060 ssh2",
        "Dec 10 09:12:35 LabSZ sshd[24492]: Accepted password for fztu from 119.137.62.142 port 49116 ssh2",
        "Dec 10 09:12:35 LabSZ sshd[24492]: pam_unix(sshd:session): session opened for user fztu by (uid=0)",
        "Dec 10 09:13:01 LabSZ sudo:     fztu : TTY=pts/0 ; PWD=/home/fztu ; USER=root ; COMMAND=/usr/bin/apt update",
        "Dec 10 09:32:20 LabSZ sshd[24680]: reverse mapping checking getaddrinfo for 190-174-14-217.speedy.com.ar [190.174.14.217] failed - POSSIBLE BREAK-IN ATTEMPT!",
    ]
    return (0..<1000).map { templates[$0 % templates.count] }
}()

/// The 744 CloudTrail records of the pattern benchmarks (about 1.2 KB each), as NDJSON and as a
/// CloudTrail log file (`{"Records":[…]}`).
let cloudTrailLines = BenchmarkFixtures.lines("Benchmarks/Fixtures/cloudtrail-sigma/aws_cloudtrail.jsonl")
let cloudTrailNDJSON: [UInt8] = Array(cloudTrailLines.joined(separator: [UInt8(ascii: "\n")]))
let cloudTrailFile: [UInt8] =
    Array(#"{"Records":["#.utf8) + Array(cloudTrailLines.joined(separator: [UInt8(ascii: ",")])) + Array("]}".utf8)

/// The GeoIP test databases (City with 28-bit records, ASN with 24-bit), from the source tests.
let geoIPDatabases: [MaxMindDatabase] = ["city-test.mmdb", "asn-test.mmdb"].map { name in
    let path = "Tests/TocsinSourcesTests/Fixtures/geoip/" + name
    guard let database = try? MaxMindDatabase(bytes: BenchmarkFixtures.bytes(path)) else {
        fatalError("benchmark fixture \(path) is not a MaxMind database")
    }
    return database
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal],
        timeUnits: .nanoseconds,
        maxDuration: .seconds(4)
    )
    BenchmarkFixtures.useCheckedThresholds()

    Benchmark("Syslog sshd line parsed and normalised", configuration: .init(scalingFactor: .kilo)) { benchmark in
        let normalizer = SyslogNormalizer(referenceMilliseconds: 1_795_608_000_000)
        var index = 0
        for _ in benchmark.scaledIterations {
            blackHole(try? normalizer.normalize(lines[index]))
            index = index + 1 == lines.count ? 0 : index + 1
        }
    }

    // One iteration is one record: each body iteration is scaled by its record count.
    for (name, body) in [("NDJSON", cloudTrailNDJSON), ("Records file", cloudTrailFile)] {
        Benchmark(
            "CloudTrail \(name) body (744 records) parsed and normalised",
            configuration: .init(metrics: [.throughput, .wallClock, .mallocCountTotal, .peakMemoryResident])
        ) { benchmark in
            let decoder = SourceDecoder(format: .cloudtrail, referenceMilliseconds: 1_795_608_000_000)
            for _ in benchmark.scaledIterations {
                blackHole(try? decoder.decode(body))
            }
        }
    }

    enrichmentBenchmarks()

    // Every lookup reads the files (no cache), and every lookup is answered from the cache.
    guard
        let view = try? JSONParser().parse(
            #"{"class_uid":3002,"src_endpoint":{"ip":"203.0.113.9"},"dst_endpoint":{"ip":"2001:db8:1::80"}}"#
        )
    else {
        fatalError("the benchmark's OCSF view is valid JSON")
    }
    for (name, cacheSize) in [("read from the files", 0), ("cached", 16_384)] {
        let enricher = GeoIPEnricher(databases: geoIPDatabases, cacheSize: cacheSize)
        Benchmark(
            "GeoIP enrichment of a view (src and dst endpoints), \(name)",
            configuration: .init(scalingFactor: .kilo)
        ) { benchmark in
            for _ in benchmark.scaledIterations {
                var enriched = view
                enricher.enrich(&enriched)
                blackHole(enriched)
            }
        }
    }
}
