// swift-tools-version: 6.2
// SPDX-License-Identifier: Apache-2.0

import PackageDescription

// libFuzzer targets over Tocsin's parsers. scripts/fuzz.sh builds them with
// `-sanitize=fuzzer,address` into their own scratch path (.build-fuzz), so the main package's
// build never sees a sanitizer flag; see docs/fuzzing.md.
//
// Each target is one file: a test function for one input (libFuzzer's `LLVMFuzzerTestOneInput`) and a
// `main` that hands it to libFuzzer's driver (`FuzzDriver`).
let tocsin = "tocsin"

func fuzzTarget(_ name: String, _ products: [String]) -> Target {
    .executableTarget(
        name: name,
        dependencies: ["FuzzSupport"] + products.map { .product(name: $0, package: tocsin) },
        path: "Sources/\(name)"
    )
}

let package = Package(
    name: "TocsinFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        // Named, so that the products below resolve whatever the checkout's folder is called.
        .package(name: tocsin, path: "..")
    ],
    targets: [
        .systemLibrary(name: "CLibFuzzer", path: "Sources/CLibFuzzer"),
        .target(name: "FuzzSupport", dependencies: ["CLibFuzzer"], path: "Sources/FuzzSupport"),
        fuzzTarget("FuzzJSON", ["TocsinCore"]),
        fuzzTarget("FuzzCloudEvents", ["TocsinCore"]),
        fuzzTarget("FuzzPatterns", ["TocsinCore", "TocsinRules"]),
        fuzzTarget("FuzzSyslog", ["TocsinSources"]),
        fuzzTarget("FuzzSources", ["TocsinSources"]),
        fuzzTarget("FuzzGeoIP", ["TocsinCore", "TocsinSources"]),
        fuzzTarget("FuzzRulesDirectory", ["TocsinActions", "TocsinConfig", "TocsinCore", "TocsinRules"]),
    ]
)
