// SPDX-License-Identifier: Apache-2.0

import Benchmark

extension BenchmarkFixtures {
    /// How far a run may drift from the checked-in thresholds (`Benchmarks/Thresholds`, compared
    /// by `scripts/bench-check.sh`) before it counts as a regression, at p90.
    ///
    /// Allocations and instructions (where the kernel exposes the counter) barely depend on load:
    /// 10% (hashing is seeded per process). Throughput does: 30%, and only meaningful on an idle
    /// machine.
    public static var checkedThresholds: [BenchmarkMetric: BenchmarkThresholds] {
        [
            .instructions: BenchmarkThresholds(relative: [.p90: 10]),
            .mallocCountTotal: BenchmarkThresholds(relative: [.p90: 10]),
            .throughput: BenchmarkThresholds(relative: [.p90: 30]),
        ]
    }

    /// Makes every benchmark defined after this call use ``checkedThresholds``.
    public static func useCheckedThresholds() {
        Benchmark.defaultConfiguration.thresholds = checkedThresholds
    }
}
