#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# What the compliance detectors cost at ingest (docs/compliance.md; target: at most 20% of HTTP
# batch-ingest throughput on CloudTrail records). wrk, 16 connections, structured batches of 100
# CloudEvents whose data are the benchmark corpus's CloudTrail records (scripts/wrk/cloudtrail100.lua),
# against a release server without and then with --compliance-policy
# Benchmarks/Fixtures/compliance/ingest-policy.yaml, alternately, each run on a new data directory
# and followed by `tocsin audit verify`. Prints every run and the median events/s of each mode, and the
# server's CPU time per event (user + system, read from /proc once the server's CPU clock stops moving,
# that is once its log readers have caught up), which other processes on a busy machine distort much less.
# Usage: scripts/bench-compliance.sh [rounds, default 3] [duration, default 10s]
#   BENCH_BINARY=path measures that tocsin binary instead of building .build/release/tocsin.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"
duration="${2:-10s}"
binary="${BENCH_BINARY:-.build/release/tocsin}"
policy=Benchmarks/Fixtures/compliance/ingest-policy.yaml
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
if [ -z "${BENCH_BINARY:-}" ]; then
    scripts/ensure-deps.sh
    swift build -c release --product tocsin
fi
work="$(mktemp -d)"
server=""
trap '[ -n "$server" ] && kill -TERM "$server" 2>/dev/null; rm -rf "$work"' EXIT
port=18094

# run LABEL [SERVE FLAGS…]: one wrk run against a fresh server; appends "LABEL EVENTS/S" to results.
run() {
    local label="$1" data="$work/$1-$round"
    shift
    "$binary" serve --data-dir "$data" --http "127.0.0.1:$port" "$@" >/dev/null 2>"$data.log" &
    server=$!
    for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
    TOCSIN_KEY="$(cat "$data/admin.key")" wrk -t2 -c16 -d"$duration" --latency -s scripts/wrk/cloudtrail100.lua \
        "http://127.0.0.1:$port" >"$data.wrk"
    # The readers (router, detection, projections) finish after wrk: wait for the CPU clock to stop.
    local ticks previous=-1
    for _ in $(seq 1 120); do
        ticks=$(awk '{print $14 + $15}' "/proc/$server/stat")
        [ "$ticks" -le $((previous + 2)) ] && break
        previous=$ticks
        sleep 1
    done
    kill -TERM "$server"
    wait "$server" || true
    server=""
    local rate errors verified requests cpu
    rate=$(awk '/Requests\/sec/ {printf "%d", $2 * 100}' "$data.wrk")
    errors=$(awk '/Non-2xx/ {print $NF}' "$data.wrk")
    requests=$(awk '/requests in/ {print $1}' "$data.wrk")
    cpu=$(python3 -c "import os,sys; print(round(int(sys.argv[1]) / os.sysconf('SC_CLK_TCK') * 1e6 / ((int(sys.argv[2]) - int(sys.argv[3] or 0)) * 100), 1))" \
        "$ticks" "$requests" "${errors:-0}")
    verified=$("$binary" audit verify --data-dir "$data" | tail -1)
    echo "$label round $round: $rate events/s, $cpu µs CPU per event, p99 $(awk '/ 99%/ {print $2}' "$data.wrk"), non-2xx ${errors:-0}; $verified"
    echo "$label $rate $cpu" >>"$work/results"
}

for round in $(seq 1 "$rounds"); do
    run without
    run policy --compliance-policy "$policy"
done
python3 - "$work/results" <<'PY'
import statistics, sys
rates, cpus = {}, {}
for line in open(sys.argv[1]):
    label, rate, cpu = line.split()
    rates.setdefault(label, []).append(int(rate))
    cpus.setdefault(label, []).append(float(cpu))
without, policy = statistics.median(rates["without"]), statistics.median(rates["policy"])
print(f"median events/s: without policy {without:,.0f}, with policy {policy:,.0f} ({(policy - without) / without:+.1%})")
without, policy = statistics.median(cpus["without"]), statistics.median(cpus["policy"])
print(f"median CPU per event: without policy {without:.1f} µs, with policy {policy:.1f} µs ({(policy - without) / without:+.1%})")
PY
