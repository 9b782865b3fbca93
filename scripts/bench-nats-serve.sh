#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# HTTP batch ingest through `tocsin serve --backend nats` on a local 3-node R3 cluster, with one and
# then two Tocsin nodes (docs/scale-out.md#measured). wrk posts structured batches of 100 CloudTrail
# CloudEvents (scripts/wrk/cloudtrail100.lua) with 16 connections in all: to node a alone, then split
# 8 + 8 between nodes a and b (both nodes run throughout; b is idle in the one-node rounds). Rounds
# alternate. Prints each run's acknowledged events/s (only 2xx answers count) and the medians, and the
# raw libnats reference (JetStream async publish, same cluster) when NATSLoad is built.
#   scripts/bench-nats-serve.sh [ROUNDS (default 3)] [DURATION (default 10s)]
#   BENCH_BINARY=path measures that tocsin binary (built with --traits NATS) instead of building one.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
duration=${2:-10s}
binary="${BENCH_BINARY:-.build/release/tocsin}"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
if [ -z "${BENCH_BINARY:-}" ]; then
    scripts/ensure-deps.sh
    swift build -c release --traits NATS --product tocsin
fi
work=$(mktemp -d /tmp/tocsin-bench-nats-serve.XXXXXX)
port=26222
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    scripts/nats-cluster.sh stop --dir "$work/cluster" --clean >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
scripts/nats-cluster.sh start --port "$port" --dir "$work/cluster" >/dev/null
urls="nats://127.0.0.1:$port,nats://127.0.0.1:$((port + 1)),nats://127.0.0.1:$((port + 2))"
if [ -x Benchmarks/.build/release/NATSLoad ]; then
    echo "raw reference (its own anonymous cluster):"
    raw="$work/raw"
    scripts/nats-cluster.sh start --port 27222 --dir "$raw" --no-auth >/dev/null
    Benchmarks/.build/release/NATSLoad "$raw" 27222 100000 0 || true
    scripts/nats-cluster.sh stop --dir "$raw" --clean >/dev/null
fi

# node NAME HTTP-PORT: starts a node and waits until it is ready.
node() {
    mkdir -p "$work/$1"
    "$binary" serve --backend nats --nats-url "$urls" --nats-user tocsin \
        --nats-password-file "$work/cluster/tocsin.password" --node-name "$1" --data-dir "$work/$1" \
        --http "127.0.0.1:$2" >/dev/null 2>"$work/$1.log" &
    pids+=($!)
    for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$2/readyz" >/dev/null && return; sleep 0.1; done
    echo "node $1 did not become ready; its log:" >&2
    tail -20 "$work/$1.log" >&2
    exit 1
}
node a 18101
node b 18102
export TOCSIN_KEY="$(cat "$work/a/admin.key")"

# measure LABEL PORT...: one wrk per port at once, 16 connections in all; appends "LABEL EVENTS/S".
measure() {
    local label=$1
    shift
    local connections=$((16 / $#)) index=0 clients=()
    for http in "$@"; do
        wrk -t1 -c"$connections" -d"$duration" -s scripts/wrk/cloudtrail100.lua "http://127.0.0.1:$http" \
            >"$work/wrk.$index" &
        clients+=($!)
        index=$((index + 1))
    done
    wait "${clients[@]}"
    python3 - "$label" "$work" "$index" <<'PY' | tee -a "$work/results"
import re, sys
label, work, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
rate = 0.0
for index in range(count):
    text = open(f"{work}/wrk.{index}").read()
    requests = int(re.search(r"(\d+) requests in ([\d.]+)(m?s)", text).group(1))
    seconds = float(re.search(r"requests in ([\d.]+)(m?s)", text).group(1))
    failed = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    ok = requests - (int(failed.group(1)) if failed else 0)
    rate += ok * 100 / seconds
print(f"{label} {rate:.0f}")
PY
}

for round in $(seq 1 "$rounds"); do
    measure one-node 18101
    measure two-nodes 18101 18102
done
python3 - "$work/results" <<'PY'
import statistics, sys
rates = {}
for line in open(sys.argv[1]):
    label, rate = line.split()
    rates.setdefault(label, []).append(float(rate))
one, two = statistics.median(rates["one-node"]), statistics.median(rates["two-nodes"])
print(f"median acknowledged events/s: one node {one:,.0f}, two nodes {two:,.0f} ({two / one:.2f}x)")
PY
