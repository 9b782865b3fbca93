// SPDX-License-Identifier: Apache-2.0

import Benchmark
import BenchmarkFixtures
import Foundation
import TocsinCore
import TocsinSchema

/// The publish-time schema check over the 744 CloudTrail records of the pattern corpus, each as the data of one
/// CloudEvent: with no schema registered (the cost every publish pays), with a CloudTrail schema registered for
/// another type, and with it registered for the events' own type (parse + validate), next to parsing alone.
let records = BenchmarkFixtures.lines("Benchmarks/Fixtures/cloudtrail-sigma/aws_cloudtrail.jsonl")
let events = records.enumerated().map { index, record in
    CloudEvent(id: "\(index)", source: "/bench", type: "aws.cloudtrail", data: .json(record))
}

let cloudTrailSchema = #"""
    {"type": "object", "required": ["eventVersion", "eventSource", "eventName", "eventTime"],
     "properties": {
       "eventVersion": {"type": "string", "pattern": "^[0-9]+\\.[0-9]+$"},
       "eventSource": {"type": "string", "maxLength": 128},
       "eventName": {"type": "string", "minLength": 1},
       "eventTime": {"type": "string", "format": "date-time"},
       "awsRegion": {"type": "string"},
       "sourceIPAddress": {"type": "string"},
       "userIdentity": {"type": "object", "properties": {"type": {"type": "string"}, "arn": {"type": "string"}}},
       "requestParameters": {"type": ["object", "null"]},
       "responseElements": {"type": ["object", "null"]},
       "readOnly": {"type": "boolean"}
     }}
    """#

func registry(for type: String) -> SchemaRegistry {
    var registry = SchemaRegistry()
    guard let document = try? JSONParser().parse(cloudTrailSchema),
        let version = try? registry.prepare(type: type, document: document)
    else {
        fatalError("the benchmark schema does not compile")
    }
    registry.restore(version)
    return registry
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal, .instructions],
        timeUnits: .microseconds,
        maxDuration: .seconds(2)
    )
    let empty = SchemaRegistry()
    let other = registry(for: "com.example.other")
    let own = registry(for: "aws.cloudtrail")
    let rejected = events.filter { own.firstRejection(in: [$0]) != nil }.count
    print("Schema corpus: \(events.count) CloudTrail events; \(rejected) break the benchmark schema")
    Benchmark("Check 744 events, no schema registered") { benchmark in
        for _ in benchmark.scaledIterations {
            for event in events {
                blackHole(empty.firstRejection(in: [event]))
            }
        }
    }
    Benchmark("Check 744 events, a schema registered for another type") { benchmark in
        for _ in benchmark.scaledIterations {
            for event in events {
                blackHole(other.firstRejection(in: [event]))
            }
        }
    }
    Benchmark("Check 744 events against their type's schema (parse + validate)") { benchmark in
        for _ in benchmark.scaledIterations {
            for event in events {
                blackHole(own.firstRejection(in: [event]))
            }
        }
    }
    Benchmark("Parse 744 events' data alone (baseline)") { benchmark in
        let parser = JSONParser()
        for _ in benchmark.scaledIterations {
            for record in records {
                blackHole(try? parser.parse(record))
            }
        }
    }
}
