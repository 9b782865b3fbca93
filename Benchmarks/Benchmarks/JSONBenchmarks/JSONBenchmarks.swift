// SPDX-License-Identifier: Apache-2.0

import Benchmark
import BenchmarkFixtures
import Foundation
import TocsinCore

/// Real CloudTrail records, each re-serialised compactly as one document: the awsdocs examples
/// (MIT-0) and the Panther detection test records (Apache-2.0, one per line).
let records: [[UInt8]] = {
    var documents = BenchmarkFixtures.files(in: "Benchmarks/Fixtures/cloudtrail", suffix: ".json")
        .map(BenchmarkFixtures.bytes)
    documents += BenchmarkFixtures.lines("Benchmarks/Fixtures/cloudtrail-panther/records.ndjson")
    var output: [[UInt8]] = []
    for document in documents {
        guard let value = try? JSONParser().parse(document) else { continue }
        if case .array(let inner) = value["Records"] {
            output += inner.map { JSONWriter().bytes($0) }
        } else {
            output.append(JSONWriter().bytes(value))
        }
    }
    return output
}()

let totalBytes = records.reduce(0) { $0 + $1.count }

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal, .instructions],
        timeUnits: .microseconds,
        maxDuration: .seconds(5)
    )
    BenchmarkFixtures.useCheckedThresholds()
    print("CloudTrail corpus: \(records.count) records, mean \(totalBytes / max(1, records.count)) bytes")

    Benchmark("JSONParser CloudTrail corpus") { benchmark in
        for _ in benchmark.scaledIterations {
            for record in records {
                blackHole(try? JSONParser().parse(record))
            }
        }
    }

    Benchmark("JSONSerialization CloudTrail corpus") { benchmark in
        let datas = records.map { Data($0) }
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            for data in datas {
                blackHole(try? JSONSerialization.jsonObject(with: data))
            }
        }
    }

    // A hostile shape: one object of 100,000 distinct members (1.3 MB). Duplicate checks must stay
    // linear; a pairwise check took 16 s for a body this size.
    Benchmark("JSONParser wide object, 100,000 members", configuration: .init(maxDuration: .seconds(3))) { benchmark in
        let wide = Array(("{" + (0..<100_000).map { "\"member-\($0)\":\($0)" }.joined(separator: ",") + "}").utf8)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try? JSONParser(limits: .init(maxBytes: 2 << 20)).parse(wide))
        }
    }

    Benchmark("CloudEvent structured decode, 1 KB") { benchmark in
        let event =
            Array(
                #"{"specversion":"1.0","id":"e-1","source":"/aws/cloudtrail","type":"aws.cloudtrail.ConsoleLogin","time":"2026-11-25T10:00:00Z","datacontenttype":"application/json","data":"#
                    .utf8
            ) + (records.first ?? Array("{}".utf8)) + Array("}".utf8)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try? CloudEventDecoder().decode(json: JSONParser().parse(event)))
        }
    }
}
