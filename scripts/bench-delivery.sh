#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# End-to-end delivery benchmark over loopback against a release build (each mode on a fresh server):
#   latency     1,000 events/s for 20 s: publish → webhook request p99 (target < 20 ms)
#   throughput  50,000 events: deliveries/s to a healthy receiver (target >= 5,000/s), peak RSS
#   deadtarget  the same with a dead second target on the rule (target: within 10% of throughput)
# Usage: scripts/bench-delivery.sh [mode ...]   (default: all three)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
swift build -c release --product tocsin
(cd Benchmarks && swift build -c release --product DeliveryLoad)
modes=("${@:-latency throughput deadtarget}")
for mode in ${modes[@]}; do
    data="$(mktemp -d)/data"
    port=18091
    .build/release/tocsin serve --data-dir "$data" --http "127.0.0.1:$port" --allow-target-network 127.0.0.0/8 \
        >/dev/null 2>"$data.log" &
    server=$!
    for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
    Benchmarks/.build/release/DeliveryLoad "http://127.0.0.1:$port" "$(cat "$data/admin.key")" "$server" "$mode"
    kill -TERM "$server"
    wait "$server" || true
    .build/release/tocsin audit verify --data-dir "$data" | tail -1
    rm -rf "$(dirname "$data")"
done
