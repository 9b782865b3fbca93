// SPDX-License-Identifier: Apache-2.0

import Benchmark
import BenchmarkFixtures
import Crypto
import TocsinCompliance
import TocsinCore

/// The 744 CloudTrail records of the pattern benchmarks (about 1.2 KB each), one per line.
let cloudTrailLines = BenchmarkFixtures.lines("Benchmarks/Fixtures/cloudtrail-sigma/aws_cloudtrail.jsonl")
let cloudTrailBytes = cloudTrailLines.reduce(0) { $0 + $1.count + 1 }
let cloudTrailValues: [JSONValue] = cloudTrailLines.compactMap { try? JSONParser().parse($0) }

/// A policy of the shape an operator would deploy: secrets rejected, card numbers dropped,
/// emails hashed, addresses reported.
let policy = CompliancePolicy(rules: [
    ComplianceRule(
        categories: [.privateKey, .awsSecretAccessKey, .githubToken, .slackToken, .passwordInURL],
        action: .reject
    ),
    ComplianceRule(categories: [.paymentCard, .usSSN, .iban], action: .drop),
    ComplianceRule(categories: [.email], action: .hash),
])
let hashKey = SymmetricKey(size: .bits256)

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal],
        timeUnits: .microseconds,
        maxDuration: .seconds(4)
    )

    // One iteration scans every record once: MB/s = cloudTrailBytes / wall time per iteration.
    Benchmark("History scan, 744 CloudTrail records (\(cloudTrailBytes) bytes) per iteration") { benchmark in
        let scanner = ComplianceScanner()
        for _ in benchmark.scaledIterations {
            for line in cloudTrailLines {
                blackHole(try? scanner.scan(json: line))
            }
        }
    }

    // What `ComplianceEventLog` does per event at ingest: scan the bytes; when the policy only
    // reports what was found, record the findings; otherwise parse the data and apply the policy.
    Benchmark("Ingest step as the server runs it: scan, then apply only if a value changes, 744 records") {
        benchmark in
        let scanner = ComplianceScanner()
        for _ in benchmark.scaledIterations {
            for line in cloudTrailLines {
                guard let found = try? scanner.scan(json: line), !found.isEmpty else {
                    continue
                }
                if let outcomes = policy.reportedOutcomes(of: found, source: "aws.cloudtrail", type: "AwsApiCall") {
                    blackHole(outcomes)
                } else if let value = try? JSONParser().parse(line) {
                    blackHole(policy.apply(to: value, source: "aws.cloudtrail", type: "AwsApiCall", hashKey: hashKey))
                }
            }
        }
    }

    Benchmark("Ingest step: policy applied to 744 parsed CloudTrail records per iteration") { benchmark in
        for _ in benchmark.scaledIterations {
            for value in cloudTrailValues {
                blackHole(policy.apply(to: value, source: "aws.cloudtrail", type: "AwsApiCall", hashKey: hashKey))
            }
        }
    }

    Benchmark("Baseline: JSONParser on 744 CloudTrail records per iteration") { benchmark in
        for _ in benchmark.scaledIterations {
            for line in cloudTrailLines {
                blackHole(try? JSONParser().parse(line))
            }
        }
    }
}
