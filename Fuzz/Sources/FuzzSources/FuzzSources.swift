// SPDX-License-Identifier: Apache-2.0

import FuzzSupport
import TocsinSources

/// One input: the first byte picks the native format (modulo the number of formats,
/// in ``SourceFormat/allCases`` order) and the rest is a request body of that format.
///
/// The body goes through what `POST /v1/sources/{format}` and `tocsin ingest` do: gunzip (with a
/// 1 MiB bound, so the fuzzer's memory limit is not the first thing a gzip input meets), record
/// splitting and the format's normaliser.
private func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let (selector, body) = FuzzInput(data, size).selectorAndRest
    let format = SourceFormat.allCases[Int(selector) % SourceFormat.allCases.count]
    let decoder = SourceDecoder(
        format: format,
        referenceMilliseconds: 1_762_300_800_000,
        limits: .init(maxDecompressedBytes: 1024 * 1024),
        cluster: "fuzz"
    )
    guard let batch = try? decoder.decode(body) else {
        return 0
    }
    precondition(batch.entries.count == batch.positions.count, "every entry has a position")
    return 0
}

/// Runs libFuzzer on ``testOneInput(_:_:)``.
@main
enum FuzzSources {
    static func main() {
        FuzzDriver.run(testOneInput)
    }
}
