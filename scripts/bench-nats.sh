#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# NATS figures (docs/scale-out.md): raw libnats async publish vs JetStreamEventLog.append on a local
# 3-node R3 cluster, then the publish pause after kill -9 of the stream leader, over several kills.
#   scripts/bench-nats.sh [EVENTS (default 100000)] [KILLS (default 10)]
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-100000}
kills=${2:-10}
dir=$(mktemp -d /tmp/tocsin-bench-nats.XXXXXX)
port=25222
(cd Benchmarks && swift build -c release --product NATSLoad)
trap 'scripts/nats-cluster.sh stop --port $port --dir "$dir" --clean' EXIT
scripts/nats-cluster.sh start --port "$port" --dir "$dir" --no-auth
Benchmarks/.build/release/NATSLoad "$dir" "$port" "$events" "$kills"
