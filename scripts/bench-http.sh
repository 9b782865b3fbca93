#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# End-to-end ingestion benchmark over loopback with wrk against a release build:
#   1. structured batches of 100 events (target >= 50,000 events/s acknowledged)
#   2. single binary-mode events at 16 connections (target >= 8,000 req/s, p99 < 10 ms)
# Usage: scripts/bench-http.sh [duration, default 15s] [--scoped]
#   --scoped publishes with a publisher key whose scope pattern every event is checked against,
#   instead of the admin key (the authorisation cost on the hot path).
#   BENCH_SERVE_ARGS="--no-metrics" scripts/bench-http.sh measures the server without metrics.
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-15s}"
scoped="${2:-}"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
scripts/ensure-deps.sh
swift build -c release --product tocsin
data="$(mktemp -d)/data"
port=18090
# BENCH_SERVE_ARGS adds serve flags (--no-metrics to measure what metrics cost).
.build/release/tocsin serve --data-dir "$data" --http "127.0.0.1:$port" ${BENCH_SERVE_ARGS:-} >/dev/null 2>"$data.log" &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$(dirname "$data")"' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
export TOCSIN_KEY="$(cat "$data/admin.key")"
if [ "$scoped" = "--scoped" ]; then
    TOCSIN_KEY="$(.build/release/tocsin keys create bench --role publisher \
        --scope '{"source":[{"prefix":"/ssh/"},{"prefix":"/bench/"}]}' \
        --server "http://127.0.0.1:$port" | awk '/^key: / {print $2}')"
    echo "== publishing with a scoped publisher key"
fi
# wrk seeds math.random identically per run; give each run its own seed through the event ids.
echo "== structured batches of 100 events, 16 connections, $duration"
wrk -t2 -c16 -d"$duration" --latency -s scripts/wrk/batch100.lua "http://127.0.0.1:$port" | tee "$data.batch"
requests=$(awk '/Requests\/sec/ {print $2}' "$data.batch")
echo "events/s acknowledged: $(awk -v r="$requests" 'BEGIN {printf "%d", r * 100}')"
echo "== single binary-mode events, 16 connections, $duration"
wrk -t2 -c16 -d"$duration" --latency -s scripts/wrk/binary.lua "http://127.0.0.1:$port"
.build/release/tocsin audit verify --data-dir "$data"
