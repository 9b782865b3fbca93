// SPDX-License-Identifier: Apache-2.0

import Foundation

/// The benchmarks' input files, read so that a missing or empty fixture stops the run with a
/// message naming it, instead of measuring an empty workload.
public enum BenchmarkFixtures {
    /// The repository's root directory (the parent of `Benchmarks/`).
    public static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The bytes of the file at `path`, relative to the repository root; stops the benchmark when
    /// the file is missing or empty.
    public static func bytes(_ path: String) -> [UInt8] {
        let url = repository.appendingPathComponent(path)
        guard let data = try? Data(contentsOf: url) else {
            fatalError("benchmark fixture missing: \(url.path) (restore it from git before measuring)")
        }
        guard !data.isEmpty else {
            fatalError("benchmark fixture empty: \(url.path)")
        }
        return Array(data)
    }

    /// The non-empty lines of the file at `path`, relative to the repository root.
    public static func lines(_ path: String) -> [[UInt8]] {
        bytes(path).split(separator: UInt8(ascii: "\n")).map { Array($0) }
    }

    /// The names of the files in the directory at `path` that end with `suffix`, sorted; stops the
    /// benchmark when there are none.
    public static func files(in path: String, suffix: String) -> [String] {
        let url = repository.appendingPathComponent(path)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? [])
            .filter { $0.hasSuffix(suffix) }.sorted()
        guard !names.isEmpty else {
            fatalError("benchmark fixtures missing: no *\(suffix) file in \(url.path)")
        }
        return names.map { path + "/" + $0 }
    }
}
