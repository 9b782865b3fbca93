#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Compares a run of the hot-path benchmarks against the figures checked in under
# Benchmarks/.benchmarkBaselines/*/checked (a package-benchmark baseline; each benchmark's
# tolerances are BenchmarkFixtures.checkedThresholds). The compared metrics are the
# allocations per iteration (and instructions where the kernel exposes them), which load does not
# distort, and throughput with a wide tolerance (run it on an idle machine). Wall-clock
# figures, and how they compare with the issues' targets, are in docs/performance.md.
#
# Usage: scripts/bench-check.sh [--update] [TARGET ...]
#   default targets: the hot paths (JSON parsing, event patterns, Sigma, regular expressions,
#   detection state, source decoding)
#   --update   record this machine's current figures as the new baseline (review the diff)
# Exit status: 0 when no benchmark regressed (package-benchmark's 4, "only improvements", also
# counts as a pass: update the thresholds to keep them); otherwise the benchmark's status.
set -euo pipefail
cd "$(dirname "$0")/../Benchmarks"
operation=check
if [[ "${1:-}" == "--update" ]]; then
    operation=update
    shift
fi
targets=("${@:-JSONBenchmarks PatternBenchmarks SigmaBenchmarks RegexBenchmarks DetectBenchmarks SourceBenchmarks}")
status=0
for target in ${targets[@]}; do
    echo "== $target ($operation)"
    arguments=(benchmark baseline "$operation" checked --target "^${target}\$" --metric instructions
        --metric mallocCountTotal --metric throughput --no-progress)
    if [[ "$operation" == update ]]; then
        swift package --allow-writing-to-package-directory "${arguments[@]}"
        continue
    fi
    set +e
    swift package "${arguments[@]}"
    result=$?
    set -e
    if [[ $result -ne 0 && $result -ne 4 ]]; then
        echo "!! $target regressed against the checked-in baseline (exit $result)"
        status=$result
    fi
done
exit $status
