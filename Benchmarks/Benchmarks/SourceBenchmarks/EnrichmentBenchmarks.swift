// SPDX-License-Identifier: Apache-2.0

import Benchmark
import TocsinCore
import TocsinSources

/// 100,000 indicators in four lists, shaped like real feeds.
///
/// 60,000 addresses, 10,000 CIDR blocks of eight prefix lengths, 20,000 domains and 10,000 SHA-256
/// hashes. The first 50 distinct source addresses of the CloudTrail corpus are listed too, so some
/// records match as they would in use.
func enrichmentLists(corpus: [LogEntry]) -> [ThreatIntelList] {
    func list(_ name: String, _ lines: [String]) -> ThreatIntelList {
        (try? ThreatIntelList.parse(
            Array(lines.joined(separator: "\n").utf8),
            name: name,
            file: name,
            maxEntries: 1_000_000
        )) ?? ThreatIntelList(name: name, entries: [])
    }
    var generator = SplitMix(seed: 42)
    let addresses = (0..<60_000).map { _ in
        let value = generator.next()
        return "\(value >> 56 & 0xFF).\(value >> 48 & 0xFF).\(value >> 40 & 0xFF).\(value >> 32 & 0xFF)"
    }
    var listed: [String] = []
    for entry in corpus {
        if case .string(let address)? = entry.ocsf?["src_endpoint"]?["ip"], !listed.contains(address) {
            listed.append(address)
        }
        if listed.count == 50 {
            break
        }
    }
    let prefixes = [12, 16, 20, 22, 24, 26, 28, 30]
    let blocks = (0..<10_000).map { index in
        let value = generator.next()
        return "\(value >> 56 & 0xFF).\(value >> 48 & 0xFF).\(value >> 40 & 0xFF).0/\(prefixes[index % prefixes.count])"
    }
    let domains = (0..<20_000).map { index in "host\(index).bad\(generator.next() % 5_000).example" }
    let hashes = (0..<10_000).map { _ in
        (0..<4).map { _ in String(generator.next(), radix: 16).leftPadded(to: 16) }.joined()
    }
    return [
        list("scanners", addresses + listed), list("hosting", blocks), list("phishing", domains),
        list("malware", hashes),
    ]
}

/// A deterministic 64-bit generator (SplitMix64), so every run loads the same indicators.
struct SplitMix {
    var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}

extension String {
    fileprivate func leftPadded(to count: Int) -> String {
        String(repeating: "0", count: max(0, count - self.count)) + self
    }
}

/// Enrichment of CloudTrail records (data and OCSF view) with 100,000 indicators and a
/// 10,000-person directory loaded, and the cost of building the index on a reload.
func enrichmentBenchmarks() {
    let corpus =
        (try? SourceDecoder(format: .cloudtrail, referenceMilliseconds: 1_795_608_000_000).decode(cloudTrailNDJSON)
            .entries) ?? []
    let lists = enrichmentLists(corpus: corpus)
    let people = (0..<10_000).map { IdentityDirectory.Person(user: "user\($0)", team: "team\($0 % 40)") }
    let enricher = EventEnricher(
        indicators: IndicatorIndex(lists: lists),
        directory: (try? IdentityDirectory(people: people)) ?? .empty
    )

    Benchmark(
        "Enrichment of a CloudTrail record (data and view), 100,000 indicators",
        configuration: .init(scalingFactor: .kilo)
    ) { benchmark in
        guard !corpus.isEmpty else {
            return
        }
        var index = 0
        for _ in benchmark.scaledIterations {
            blackHole(enricher.enrichment(for: corpus[index]))
            index = index + 1 == corpus.count ? 0 : index + 1
        }
    }

    Benchmark(
        "Index of 100,000 indicators built (a reload)",
        configuration: .init(metrics: [.wallClock, .mallocCountTotal, .peakMemoryResident], maxIterations: 20)
    ) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(IndicatorIndex(lists: lists))
        }
    }
}
