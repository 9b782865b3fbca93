// SPDX-License-Identifier: Apache-2.0

import Benchmark
import BenchmarkFixtures
import Foundation
import TocsinRules

/// Sigma `re` values over whole CloudTrail records (the 744 records of the pattern corpus, about
/// 1.2 KB each, as raw UTF-8), plus the classic catastrophic patterns on 30,000-byte texts.
let records = BenchmarkFixtures.lines("Benchmarks/Fixtures/cloudtrail-sigma/aws_cloudtrail.jsonl")
let recordBytes = records.reduce(0) { $0 + $1.count }

/// Regular expressions of the kind SigmaHQ rules carry (the first two are from the AWS and Okta
/// rules of the conformance corpus), with the flags they use.
let sigmaPatterns: [(name: String, pattern: String, options: BoundedRegex.Options)] = [
    ("assumed-role", #".+:assumed-role/aws:.+"#, .init()),
    ("okta alternateId", #"(^0oa.*|[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\.[a-zA-Z]{2,10})"#, .init()),
    ("account root arn", #"arn:aws:iam::\d{12}:root"#, .init()),
    ("access key id", #"\b(AKIA|ASIA)[A-Z0-9]{16}\b"#, .init()),
    ("user agent tools", #"(?i)(stratus-red-team|pacu|cloudgoat|kali|parrot)"#, .init()),
    ("ipv4", #"\b(?:\d{1,3}\.){3}\d{1,3}\b"#, .init()),
    ("event name verbs", #"^(Delete|Stop|Disable)[A-Z][A-Za-z]+$"#, .init(caseInsensitive: true)),
    ("powershell obfuscation", #"\$PSHome\[\s*\d{1,3}\s*\]\s*\+\s*\$PSHome\["#, .init()),
    ("json policy wildcard", #""Action":\s*"\*""#, .init()),
]

let hostile: [(name: String, pattern: String, text: [UInt8])] = [
    ("(a+)+$", "(a+)+$", Array((String(repeating: "a", count: 30_000) + "!").utf8)),
    ("(a|a)*b", "(a|a)*b", Array(String(repeating: "a", count: 30_000).utf8)),
    ("(.*a){20}b", "(.*a){20}b", Array(String(repeating: "a", count: 30_000).utf8)),
]

/// Megabytes per second of `search` over `texts`: the median pass of those run in about half a
/// second (the median, because the shared cores make the mean swing with other work).
func megabytesPerSecond(_ texts: [[UInt8]], _ search: ([UInt8]) -> Bool) -> (rate: Double, matches: Int) {
    let matches = texts.filter(search).count
    let bytes = texts.reduce(0) { $0 + $1.count }
    let clock = ContinuousClock()
    let start = clock.now
    var passes: [Duration] = []
    while clock.now - start < .milliseconds(500) || passes.count < 5 {
        let pass = clock.measure {
            for text in texts {
                blackHole(search(text))
            }
        }
        passes.append(pass)
    }
    let median = passes.sorted()[passes.count / 2]
    let seconds = Double(median.components.seconds) + Double(median.components.attoseconds) / 1e18
    return (Double(bytes) / seconds / 1e6, matches)
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal, .instructions],
        timeUnits: .microseconds,
        maxDuration: .seconds(2)
    )
    BenchmarkFixtures.useCheckedThresholds()
    print("Regex corpus: \(records.count) CloudTrail records, \(recordBytes / max(1, records.count)) bytes mean")
    let clock = ContinuousClock()
    let folding = clock.measure { blackHole(try? BoundedRegex("(?i)x")) }
    print("First case-insensitive compile (builds the case-folding table): \(folding)")
    for entry in sigmaPatterns {
        guard let regex = try? BoundedRegex(entry.pattern, options: entry.options) else {
            print("\(entry.name): does not compile")
            continue
        }
        let measured = megabytesPerSecond(records) { regex.matches(utf8: $0) }
        let nfa = megabytesPerSecond(records) { regex.searchStatistics(utf8: $0).matched }
        print(
            "\(entry.name): \(String(format: "%.0f", measured.rate)) MB/s (NFA alone \(String(format: "%.1f", nfa.rate)) MB/s), \(measured.matches) of \(records.count) records match"
        )
        Benchmark("Sigma re over 744 CloudTrail records: \(entry.name)") { benchmark in
            for _ in benchmark.scaledIterations {
                for record in records {
                    blackHole(regex.matches(utf8: record))
                }
            }
        }
    }
    for entry in hostile {
        guard let regex = try? BoundedRegex(entry.pattern) else {
            continue
        }
        let measured = megabytesPerSecond([entry.text]) { regex.matches(utf8: $0) }
        let nfa = megabytesPerSecond([entry.text]) { regex.searchStatistics(utf8: $0).matched }
        print(
            "hostile \(entry.name) on 30,000 bytes: \(String(format: "%.0f", measured.rate)) MB/s (NFA alone \(String(format: "%.1f", nfa.rate)) MB/s), match: \(measured.matches == 1)"
        )
        Benchmark("Hostile \(entry.name) on 30,000 bytes") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(regex.matches(utf8: entry.text))
            }
        }
    }
    Benchmark("Compile the Sigma patterns", configuration: .init(scalingFactor: .kilo)) { benchmark in
        for _ in benchmark.scaledIterations {
            for entry in sigmaPatterns {
                blackHole(try? BoundedRegex(entry.pattern, options: entry.options))
            }
        }
    }
}
