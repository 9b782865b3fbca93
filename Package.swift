// swift-tools-version: 6.2
// SPDX-License-Identifier: Apache-2.0

import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("NonisolatedNonsendingByDefault"),
    .enableUpcomingFeature("InferIsolatedConformances"),
    .treatAllWarnings(as: .error),
    .unsafeFlags(["-Xfrontend", "-require-explicit-sendable"]),
]

let package = Package(
    name: "tocsin",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tocsin", targets: ["TocsinCLI"]),
        .library(name: "TocsinCore", targets: ["TocsinCore"]),
        .library(name: "TocsinStore", targets: ["TocsinStore"]),
        .library(name: "TocsinRules", targets: ["TocsinRules"]),
        .library(name: "TocsinSources", targets: ["TocsinSources"]),
        .library(name: "TocsinServer", targets: ["TocsinServer"]),
        .library(name: "TocsinConfig", targets: ["TocsinConfig"]),
        .library(name: "TocsinDetect", targets: ["TocsinDetect"]),
        .library(name: "TocsinResponse", targets: ["TocsinResponse"]),
        .library(name: "TocsinSigma", targets: ["TocsinSigma"]),
        .library(name: "TocsinSchema", targets: ["TocsinSchema"]),
        .library(name: "TocsinActions", targets: ["TocsinActions"]),
        .library(name: "TocsinRuntime", targets: ["TocsinRuntime"]),
        .library(name: "TocsinCompliance", targets: ["TocsinCompliance"]),
        .library(name: "TocsinCluster", targets: ["TocsinCluster"]),
        .library(name: "TocsinNATS", targets: ["TocsinNATS"]),
    ],
    traits: [
        .trait(
            name: "OTel",
            description: "Export traces over OTLP/HTTP with swift-otel (off by default: it adds minutes of build)"
        ),
        .trait(
            name: "NATS",
            description: "Build the NATS JetStream adapter (TocsinNATS) on libnats (needs libnats-dev; off by default)"
        ),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
    ],
    targets: [
        .target(
            name: "TocsinCore",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TocsinRules",
            dependencies: ["TocsinCore"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TocsinDetect",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TocsinCluster",
            dependencies: ["TocsinCore"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TocsinSchema",
            dependencies: ["TocsinCore", "TocsinRules"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TocsinSigma",
            dependencies: ["TocsinCore", "TocsinRules", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TocsinCompliance",
            dependencies: ["TocsinCore", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CNats", path: "Sources/CNats", pkgConfig: "libnats", providers: [.apt(["libnats-dev"])]),
        // The sources compile only under the NATS trait (`#if NATS`): without it the module is empty and the
        // build needs no C library.
        .target(
            name: "TocsinNATS",
            dependencies: [
                .target(name: "CNats", condition: .when(traits: ["NATS"])),
                "TocsinCore",
                .product(name: "Crypto", package: "swift-crypto"),
                "TocsinCluster",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TocsinSources",
            dependencies: ["TocsinCore", "CZlib", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TocsinResponse",
            dependencies: ["TocsinCore", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TocsinConfig",
            dependencies: [
                "TocsinCore",
                "TocsinCluster",
                "TocsinCompliance",
                "TocsinRules",
                "TocsinDetect",
                "TocsinSigma",
                "TocsinResponse",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TocsinMetrics",
            dependencies: [
                "TocsinCore",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(name: "CTocsinSpawn"),
        .target(
            name: "TocsinActions",
            dependencies: [
                "TocsinCore",
                "TocsinResponse",
                "CTocsinSpawn",
                .product(name: "NIOPosix", package: "swift-nio"),
                "TocsinConfig",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TocsinBundles",
            dependencies: ["TocsinCore", "TocsinResponse", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TocsinStore",
            dependencies: [
                "TocsinBundles",
                "TocsinMetrics",
                "TocsinCore",
                "TocsinResponse",
                "CZlib",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TocsinServer",
            dependencies: [
                "TocsinMetrics",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                "TocsinCore",
                "TocsinRules",
                "TocsinResponse",
                "TocsinSources",
                "TocsinSchema",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TocsinConsole",
            dependencies: [
                "TocsinCore",
                "TocsinRules",
                "TocsinServer",
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            exclude: ["Templates"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TocsinRuntime",
            dependencies: [
                "TocsinMetrics",
                "TocsinCluster",
                "TocsinCompliance",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                "TocsinCore",
                "TocsinRules",
                "TocsinDetect",
                "TocsinSources",
                .product(name: "NIOPosix", package: "swift-nio"),
                "TocsinConfig",
                "TocsinResponse",
                "TocsinActions",
                "TocsinSchema",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                "TocsinStore",
                "TocsinServer",
                "TocsinConsole",
                .target(name: "TocsinNATS", condition: .when(traits: ["NATS"])),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "TocsinCLI",
            dependencies: [
                .product(
                    name: "ServiceLifecycle",
                    package: "swift-service-lifecycle",
                    condition: .when(traits: ["OTel"])
                ),
                .product(name: "OTel", package: "swift-otel", condition: .when(traits: ["OTel"])),
                "TocsinCore",
                "TocsinSources",
                "TocsinRules",
                "TocsinConfig",
                "TocsinStore",
                "TocsinRuntime",
                "TocsinServer",
                "TocsinSigma",
                "TocsinDetect",
                "TocsinActions",
                "TocsinBundles",
                "TocsinResponse",
                "TocsinCompliance",
                .target(name: "TocsinNATS", condition: .when(traits: ["NATS"])),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TocsinTesting",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                "TocsinCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TocsinBundlesTests",
            dependencies: [
                "TocsinBundles", "TocsinCore", "TocsinResponse", .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TocsinCoreTests",
            dependencies: ["TocsinCore", "TocsinTesting", .product(name: "Crypto", package: "swift-crypto")],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TocsinRulesTests",
            dependencies: ["TocsinCore", "TocsinRules", "TocsinTesting"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TocsinConfigTests",
            dependencies: ["TocsinConfig", "TocsinCore", "TocsinCompliance"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TocsinComplianceTests",
            dependencies: ["TocsinCompliance", "TocsinCore", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TocsinMetricsTests",
            dependencies: ["TocsinMetrics", "TocsinCore", "TocsinTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "NATSTests",
            dependencies: [
                "TocsinNATS", "TocsinCore", "TocsinTesting", "TocsinCluster", "TocsinStore", "TocsinConfig", "TocsinDetect",
                // The `tocsin` binary the serve tests start (NATSServeTests).
                "TocsinCLI",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TocsinDetectTests",
            dependencies: ["TocsinDetect"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TocsinClusterTests",
            dependencies: ["TocsinCluster", "TocsinCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TocsinSchemaTests",
            dependencies: ["TocsinCore", "TocsinSchema"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TocsinSigmaTests",
            dependencies: ["TocsinCore", "TocsinRules", "TocsinSigma", "TocsinSources"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TocsinSourcesTests",
            dependencies: ["TocsinCore", "TocsinSources", "TocsinTesting"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TocsinResponseTests",
            dependencies: [
                "TocsinCore", "TocsinResponse", "TocsinConfig", "TocsinRules", "TocsinDetect", "TocsinTesting",
                "TocsinActions",
                "TocsinCompliance",
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TocsinActionsTests",
            dependencies: [
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                "TocsinActions",
                "TocsinConfig",
                "TocsinCore",
                "TocsinResponse",
                "TocsinTesting",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TocsinStoreTests",
            dependencies: [
                "TocsinBundles",
                "TocsinCore",
                "TocsinResponse",
                "TocsinStore",
                "TocsinTesting",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TocsinRuntimeTests",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                "TocsinActions",
                "TocsinCluster",
                "TocsinConfig",
                "TocsinCore",
                "TocsinResponse",
                "TocsinRuntime",
                "TocsinServer",
                "TocsinStore",
                "TocsinTesting",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TocsinServerTests",
            dependencies: [
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                "TocsinCore",
                "TocsinServer",
                "TocsinSchema",
                "TocsinRules",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                "TocsinResponse",
                .product(name: "Crypto", package: "swift-crypto"),
                "TocsinTesting",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TocsinConsoleTests",
            dependencies: [
                "TocsinConsole",
                "TocsinCore",
                "TocsinResponse",
                "TocsinServer",
                "TocsinTesting",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "TocsinCore",
                "TocsinConfig",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                "TocsinResponse",
                .product(name: "Hummingbird", package: "hummingbird"),
                "TocsinTesting",
                "TocsinCLI",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
