#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# TLS handshake rate of a release `tocsin serve` over loopback with `openssl s_time` (one
# connection at a time, full handshakes, no session reuse; client and server share the cores):
#   1. HTTPS only (--tls-cert/--tls-key)
#   2. mutual TLS (--client-ca), the client presenting a certificate from that CA
# (TLS 1.3, X25519, P-256 certificates made with the openssl commands of docs/security.md). No HTTP
# request is sent: s_time's HTTP/1.0 request is left open by the server until the idle timeout.
# Usage: scripts/bench-tls.sh [seconds per run, default 10]
#        TOCSIN_BINARY=path/to/release/tocsin scripts/bench-tls.sh   (skips the build)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-10}"
if [ -z "${TOCSIN_BINARY:-}" ]; then
    scripts/ensure-deps.sh
    swift build -c release --product tocsin
    TOCSIN_BINARY="$PWD/.build/release/tocsin"
fi
work="$(mktemp -d)"
server=""
trap '[ -n "$server" ] && kill -TERM $server 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
cd "$work"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
    -subj "/CN=Tocsin clients CA" -keyout ca.key -out ca.pem \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" \
    -keyout server.key -out server.csr 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 -extfile server.ext \
    -out server.pem 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=bench.client" \
    -keyout client.key -out client.csr 2>/dev/null
printf 'extendedKeyUsage=clientAuth\n' >client.ext
openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 -extfile client.ext \
    -out client.pem 2>/dev/null
binary="$TOCSIN_BINARY"
port=18443
run() { # name, extra serve options...
    local name="$1"
    shift
    "$binary" serve --data-dir "$work/data-$name" --http "127.0.0.1:$port" --tls-cert server.pem \
        --tls-key server.key "$@" >/dev/null 2>"$work/$name.log" &
    server=$!
    for _ in $(seq 1 100); do
        curl -sf --cacert ca.pem --cert client.pem --key client.key "https://127.0.0.1:$port/healthz" >/dev/null && break
        sleep 0.1
    done
    echo "== $name: full handshakes, one connection at a time, ${seconds}s"
    local start end count
    start=$(date +%s.%N)
    count=$(openssl s_time -connect "127.0.0.1:$port" -new -time "$seconds" -CAfile ca.pem -cert client.pem \
        -key client.key 2>/dev/null | awk '/connections in .* real seconds/ {print $1}')
    end=$(date +%s.%N)
    awk -v n="$count" -v s="$start" -v e="$end" 'BEGIN {printf "%d handshakes in %.2f s: %.0f handshakes/s\n", n, e - s, n / (e - s)}'
    kill -TERM $server
    wait $server || true
    server=""
}
run https
run mtls --client-ca ca.pem
