#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the libFuzzer targets in Fuzz/ (-sanitize=fuzzer,address, release, scratch path .build-fuzz)
# and runs them on seeds made from the test fixtures. See docs/fuzzing.md.
#
#   scripts/fuzz.sh [TARGET...] [--runs N | --seconds S | --quick] [--build-only]
#
# TARGET: json cloudevents patterns syslog sources geoip rules-directory (default: all).
# --runs N / --seconds S: how long each target runs (default --seconds 60).
# --quick: the suite's short run: a fixed number of executions per target with a fixed seed, from the
#   seeds alone (about 10 s each on the project's 2-core machine).
# Exits non-zero when a target crashes, hangs (-timeout), runs out of memory or a sanitizer reports.
# Findings are written to .build-fuzz/artifacts/; the growing corpora stay in .build-fuzz/corpus/.
set -euo pipefail
cd "$(dirname "$0")/.."

declare -A product=(
    [json]=FuzzJSON [cloudevents]=FuzzCloudEvents [patterns]=FuzzPatterns [syslog]=FuzzSyslog
    [sources]=FuzzSources [geoip]=FuzzGeoIP [rules-directory]=FuzzRulesDirectory
)
# --quick executions per target: about 10 s each, measured on the project's machine (docs/fuzzing.md).
declare -A quick_runs=(
    [json]=150000 [cloudevents]=300000 [patterns]=60000 [syslog]=150000
    [sources]=30000 [geoip]=90000 [rules-directory]=13500
)
all_targets=(json cloudevents patterns syslog sources geoip rules-directory)

targets=()
length=(-max_total_time=60)
seed=()
build_only=false
while [ $# -gt 0 ]; do
    case "$1" in
    --runs) length=("-runs=$2"); shift 2 ;;
    --seconds) length=("-max_total_time=$2"); shift 2 ;;
    --quick) length=(quick); seed=(-seed=1); shift ;;
    --build-only) build_only=true; shift ;;
    -h | --help) sed -n '3,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *)
        [ -n "${product[$1]:-}" ] || { echo "unknown target '$1'; targets: ${all_targets[*]}" >&2; exit 2; }
        targets+=("$1"); shift ;;
    esac
done
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")

scripts/ensure-deps.sh
command -v python3 >/dev/null || {
    if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3
}
# libFuzzer and the AddressSanitizer runtime ship with the Swift toolchain on Linux.
toolchain=$(dirname "$(dirname "$(readlink -f "$(command -v swiftc)")")")
if ! ls "$toolchain"/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 \
    && ! ls "$toolchain"/lib/swift/clang/lib/linux/libclang_rt.fuzzer-*.a >/dev/null 2>&1; then
    echo "error: this Swift toolchain has no libFuzzer runtime (libclang_rt.fuzzer); use a swift.org toolchain" >&2
    exit 1
fi

scratch=.build-fuzz
mkdir -p "$scratch/logs"
started=$SECONDS
# No cached build manifest: the main package is a dependency here, and a cached plan misses the files added to it.
swift build --package-path Fuzz --scratch-path "$scratch" -c release --disable-build-manifest-caching \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld 2>&1 | tee "$scratch/logs/build.log"
echo "fuzz targets built in $((SECONDS - started)) s"
$build_only && exit 0
bin=$(swift build --package-path Fuzz --scratch-path "$scratch" -c release --show-bin-path)

rm -rf "$scratch/seeds"
python3 scripts/fuzz-seeds.py "$scratch/seeds"

# libFuzzer prints the stack of a trap itself; Swift's own backtracer can hang under AddressSanitizer.
export SWIFT_BACKTRACE=enable=no
failed=()
summary=()
for target in "${targets[@]}"; do
    mkdir -p "$scratch/corpus/$target" "$scratch/seeds/$target" "$scratch/artifacts"
    corpus="$scratch/corpus/$target"
    log="$scratch/logs/$target.log"
    run_length=("${length[@]}")
    if [ "${length[0]}" = quick ]; then
        # From the seeds alone, into an empty corpus: the same amount of work every time (libFuzzer's
        # choices still vary a little from run to run).
        run_length=("-runs=${quick_runs[$target]}")
        corpus="$scratch/quick-corpus/$target"
        rm -rf "$corpus"
        mkdir -p "$corpus"
        log="$scratch/logs/$target.quick.log"
    fi
    echo "== $target: ${run_length[*]}"
    status=0
    # -timeout: an input that takes 10 s is a hang; -rss_limit_mb: well under the machine's memory.
    "$bin/${product[$target]}" "${run_length[@]}" "${seed[@]}" \
        -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
        -artifact_prefix="$scratch/artifacts/$target-" \
        "$corpus" "$scratch/seeds/$target" >"$log" 2>&1 || status=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    if [ "$status" -ne 0 ]; then
        failed+=("$target")
        grep -E "ERROR|Fatal error|SUMMARY|Test unit written|deadly signal|timeout" "$log" | head -20 >&2 || true
        summary+=("$target: FAILED (exit $status; log $log)")
    else
        summary+=("$target: ${runs:-?} executions, ${rate:-?} exec/s, corpus $(ls "$corpus" | wc -l)")
    fi
done
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
    echo "error: fuzz targets failed: ${failed[*]} (inputs in $scratch/artifacts/)" >&2
    exit 1
fi
