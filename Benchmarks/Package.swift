// swift-tools-version: 6.2
// SPDX-License-Identifier: Apache-2.0

import PackageDescription

let package = Package(
    name: "TocsinBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        // The NATS trait builds TocsinNATS for NATSLoad; targets that do not use it compile as before.
        .package(path: "..", traits: ["NATS"]),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        .target(
            name: "BenchmarkFixtures",
            dependencies: [.product(name: "Benchmark", package: "benchmark")],
            path: "Sources/BenchmarkFixtures"
        ),
        .executableTarget(
            name: "JSONBenchmarks",
            dependencies: [
                "BenchmarkFixtures",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "TocsinCore", package: "main"),
            ],
            path: "Benchmarks/JSONBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "ActionBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "TocsinActions", package: "main"),
                .product(name: "TocsinConfig", package: "main"),
                .product(name: "TocsinCore", package: "main"),
                .product(name: "TocsinResponse", package: "main"),
            ],
            path: "Benchmarks/ActionBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "PatternBenchmarks",
            dependencies: [
                "BenchmarkFixtures",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "TocsinCore", package: "main"),
                .product(name: "TocsinRules", package: "main"),
            ],
            path: "Benchmarks/PatternBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "SigmaBenchmarks",
            dependencies: [
                "BenchmarkFixtures",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "TocsinCore", package: "main"),
                .product(name: "TocsinSigma", package: "main"),
            ],
            path: "Benchmarks/SigmaBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "RegexBenchmarks",
            dependencies: [
                "BenchmarkFixtures",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "TocsinRules", package: "main"),
            ],
            path: "Benchmarks/RegexBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "SchemaBenchmarks",
            dependencies: [
                "BenchmarkFixtures",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "TocsinCore", package: "main"),
                .product(name: "TocsinSchema", package: "main"),
            ],
            path: "Benchmarks/SchemaBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "ExecBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "TocsinActions", package: "main"),
            ],
            path: "Benchmarks/ExecBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "DeliveryLoad",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Benchmarks/DeliveryLoad"
        ),
        .executableTarget(
            name: "SourceBenchmarks",
            dependencies: [
                "BenchmarkFixtures",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "TocsinCore", package: "main"),
                .product(name: "TocsinSources", package: "main"),
            ],
            path: "Benchmarks/SourceBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "AuthBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "TocsinCore", package: "main"),
                .product(name: "TocsinServer", package: "main"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/AuthBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "DetectBenchmarks",
            dependencies: [
                "BenchmarkFixtures",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "TocsinDetect", package: "main"),
            ],
            path: "Benchmarks/DetectBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "DetectionTableBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "TocsinCore", package: "main"),
                .product(name: "TocsinConfig", package: "main"),
                .product(name: "TocsinCluster", package: "main"),
            ],
            path: "Benchmarks/DetectionTableBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "ReplayBenchmarks",
            dependencies: [
                "BenchmarkFixtures",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "TocsinActions", package: "main"),
                .product(name: "TocsinConfig", package: "main"),
                .product(name: "TocsinCore", package: "main"),
                .product(name: "TocsinRuntime", package: "main"),
                .product(name: "TocsinStore", package: "main"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/ReplayBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "IncidentBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "TocsinCore", package: "main"),
                .product(name: "TocsinResponse", package: "main"),
                .product(name: "TocsinStore", package: "main"),
            ],
            path: "Benchmarks/IncidentBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "ComplianceBenchmarks",
            dependencies: [
                "BenchmarkFixtures",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "TocsinCompliance", package: "main"),
                .product(name: "TocsinCore", package: "main"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Benchmarks/ComplianceBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "StoreBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "TocsinCore", package: "main"),
                .product(name: "TocsinStore", package: "main"),
            ],
            path: "Benchmarks/StoreBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .systemLibrary(
            name: "CNatsRaw",
            path: "Sources/CNatsRaw",
            pkgConfig: "libnats",
            providers: [.apt(["libnats-dev"])]
        ),
        .executableTarget(
            name: "NATSLoad",
            dependencies: [
                "CNatsRaw",
                .product(name: "TocsinCore", package: "main"),
                .product(name: "TocsinNATS", package: "main"),
            ],
            path: "Benchmarks/NATSLoad"
        ),
    ]
)
