// SPDX-License-Identifier: Apache-2.0

import Benchmark
import BenchmarkFixtures
import Foundation
import TocsinCore
import TocsinSigma

/// Every SigmaHQ rule of the conformance corpus (Tests/TocsinSigmaTests/Fixtures/sigma, 285 rules,
/// placeholders given dummy values) loaded into one rule set, matched against the 744 real
/// CloudTrail records of Benchmarks/Fixtures/cloudtrail-sigma from their raw bytes.
let corpus = "Tests/TocsinSigmaTests/Fixtures/sigma"

let eventBytes = BenchmarkFixtures.lines("Benchmarks/Fixtures/cloudtrail-sigma/aws_cloudtrail.jsonl")

/// The rule files and their text, read once (compile time excludes the file reads).
let ruleTexts: [(path: String, text: String)] = {
    let base = BenchmarkFixtures.repository.appendingPathComponent(corpus).path + "/"
    let paths = (FileManager.default.enumerator(atPath: base)?.allObjects as? [String] ?? [])
        .filter { $0.hasSuffix(".yml") }
        .sorted()
    guard !paths.isEmpty else {
        fatalError("benchmark fixtures missing: no Sigma rule (*.yml) under \(base)")
    }
    return paths.map { path in
        (path, String(decoding: BenchmarkFixtures.bytes(corpus + "/" + path), as: UTF8.self))
    }
}()

/// Values for every `%placeholder%` of the corpus, so the placeholder rules load too.
let placeholderOptions: SigmaCompileOptions = {
    var options = SigmaCompileOptions()
    for (_, text) in ruleTexts {
        let parts = text.split(separator: "%", omittingEmptySubsequences: false)
        for part in parts.dropFirst().dropLast()
        where !part.isEmpty && part.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) {
            options.placeholders[String(part)] = ["placeholder-value"]
        }
    }
    return options
}()

/// Each record as the Tocsin event the CloudTrail normaliser makes of it (attributes and `data`), as bytes.
let envelopeBytes: [[UInt8]] = eventBytes.compactMap { bytes in
    guard let record = try? JSONParser().parse(bytes), let name = record["eventName"]?.stringValue,
        let source = record["eventSource"]?.stringValue
    else {
        return nil
    }
    let service = source.hasSuffix(".amazonaws.com") ? String(source.dropLast(14)) : source
    let account = record["recipientAccountId"]?.stringValue ?? "-"
    let region = record["awsRegion"]?.stringValue ?? "-"
    let head =
        #"{"specversion":"1.0","id":"x","source":"/aws/cloudtrail/\#(account)/\#(region)","type":"aws.cloudtrail.\#(service).\#(name)","data":"#
    return Array(head.utf8) + bytes + [UInt8(ascii: "}")]
}

/// CPU time this thread has used, in nanoseconds: unlike wall-clock time, it does not count time the
/// thread spent waiting for a core while other work ran on the machine.
func threadCPUNanoseconds() -> Int {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return time.tv_sec * 1_000_000_000 + time.tv_nsec
}

/// The custom metric of CPU time per iteration (one event), measured with ``threadCPUNanoseconds()``.
let cpuPerEvent = BenchmarkMetric.custom("CPU time per event (ns)", polarity: .prefersSmaller, useScalingFactor: false)

/// Runs `body` for each scaled iteration and records the thread CPU time per iteration.
func measuringCPU(_ benchmark: Benchmark, _ body: (Int) -> Void) {
    let start = threadCPUNanoseconds()
    var iterations = 0
    for _ in benchmark.scaledIterations {
        body(iterations)
        iterations += 1
    }
    benchmark.measurement(cpuPerEvent, (threadCPUNanoseconds() - start) / max(1, iterations))
}

func compileCorpus() -> [SigmaRule] {
    ruleTexts.flatMap { SigmaCollection(text: $0.text, file: $0.path, options: placeholderOptions).rules }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal, .instructions, cpuPerEvent],
        timeUnits: .nanoseconds,
        maxDuration: .seconds(4)
    )
    BenchmarkFixtures.useCheckedThresholds()
    let started = ContinuousClock.now
    let rules = compileCorpus()
    let set = SigmaRuleSet(rules: rules)
    let compileTime = ContinuousClock.now - started
    let parser = JSONParser()
    let events = eventBytes.compactMap { try? parser.parse($0) }
    let context = SigmaMatchContext()
    var matched = 0
    for event in events {
        matched += set.matches(event, context: context).count
    }
    print(
        "Sigma corpus: \(rules.count) rules from \(ruleTexts.count) files compiled into one rule set in \(compileTime); \(set.alwaysEvaluatedRules.count) rules without a pre-filter; \(events.count) CloudTrail records, \(Double(matched) / Double(max(1, events.count))) matches/record"
    )

    Benchmark("Compile the Sigma corpus (285 rules) into a rule set", configuration: .init(maxDuration: .seconds(6))) {
        benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(SigmaRuleSet(rules: compileCorpus()).rules.count)
        }
    }

    Benchmark("CloudTrail record from raw bytes: parse + all Sigma rules", configuration: .init(scalingFactor: .kilo)) {
        benchmark in
        measuringCPU(benchmark) { iteration in
            if let event = try? parser.parse(eventBytes[iteration % eventBytes.count]) {
                blackHole(set.matches(event, context: context).count)
            }
        }
    }

    let eventSet = SigmaRuleSet(rules: rules, mode: .events(.defaults))
    Benchmark(
        "Tocsin CloudTrail event from raw bytes: parse + all Sigma rules",
        configuration: .init(scalingFactor: .kilo)
    ) {
        benchmark in
        measuringCPU(benchmark) { iteration in
            if let event = try? parser.parse(envelopeBytes[iteration % envelopeBytes.count]) {
                blackHole(eventSet.matches(event, context: context).count)
            }
        }
    }

    Benchmark(
        "Tocsin CloudTrail event from raw bytes: matches(bytes:), parsing what the rules read",
        configuration: .init(scalingFactor: .kilo)
    ) {
        benchmark in
        measuringCPU(benchmark) { iteration in
            blackHole(try? eventSet.matches(bytes: envelopeBytes[iteration % envelopeBytes.count], context: context))
        }
    }

    Benchmark(
        "Tocsin CloudTrail event from raw bytes: parse keeping what the rules read",
        configuration: .init(scalingFactor: .kilo)
    ) {
        benchmark in
        measuringCPU(benchmark) { iteration in
            blackHole(try? parser.parse(envelopeBytes[iteration % envelopeBytes.count], keeping: eventSet.projection))
        }
    }

    Benchmark("Tocsin CloudTrail event from raw bytes: parse only", configuration: .init(scalingFactor: .kilo)) {
        benchmark in
        measuringCPU(benchmark) { iteration in
            blackHole(try? parser.parse(envelopeBytes[iteration % envelopeBytes.count]))
        }
    }

    Benchmark("Parsed CloudTrail record: all Sigma rules", configuration: .init(scalingFactor: .kilo)) { benchmark in
        measuringCPU(benchmark) { iteration in
            blackHole(set.matches(events[iteration % events.count], context: context).count)
        }
    }

    Benchmark("CloudTrail record from raw bytes: parse only", configuration: .init(scalingFactor: .kilo)) { benchmark in
        measuringCPU(benchmark) { iteration in
            blackHole(try? parser.parse(eventBytes[iteration % eventBytes.count]))
        }
    }
}
