#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Routing and delivery through `tocsin serve --backend nats` with one and then two Tocsin nodes
# (docs/scale-out.md#measured). Logs EVENTS CloudTrail CloudEvents in a SQLite data directory once, then
# per run: a fresh local 3-node R3 cluster, `tocsin migrate --to nats` of that log, and 1 or 2 release
# nodes started with one rules directory: the first 100 pattern rules of the benchmark corpus (each to a
# target nothing calls: they cost matching) and one rule that sends every tenth event (ids ending in 0)
# to a loopback webhook sink. Prints, per run, routed events/s (from the nodes' start until their
# `tocsin_router_events_total` add up to EVENTS) and delivered/s (until the sink has EVENTS/10), then
# the medians. Runs alternate: 1 node, 2 nodes, 1 node, ...
#   scripts/bench-nats-routing.sh [ROUNDS (default 3)] [EVENTS (default 50000)]
#   BENCH_BINARY=path measures that tocsin binary (built with --traits NATS) instead of building one.
#   BENCH_RULES=N keeps N of the 100 pattern rules; BENCH_NODES=1 (or 2) runs only that node count.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
events=${2:-50000}
binary="${BENCH_BINARY:-.build/release/tocsin}"
if [ -z "${BENCH_BINARY:-}" ]; then
    scripts/ensure-deps.sh
    swift build -c release --traits NATS --product tocsin
fi
work=$(mktemp -d /tmp/tocsin-bench-nats-routing.XXXXXX)
trap 'pkill -TERM -f "$work" 2>/dev/null || true; scripts/nats-cluster.sh stop --dir "$work/cluster" --clean >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
python3 - "$binary" "$work" "$rounds" "$events" <<'PY'
import asyncio, json, os, re, statistics, subprocess, sys, threading, time, urllib.request

binary, work, rounds, events = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
port = 26322
urls = ",".join(f"nats://127.0.0.1:{port + i}" for i in range(3))
delivered = 0


def sink():
    """A loopback HTTP/1.1 sink that answers every request 204 and counts them."""
    async def handle(reader, writer):
        global delivered
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
                await reader.readexactly(length)
                delivered += 1
                writer.write(b"HTTP/1.1 204 No Content\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    async def serve():
        server = await asyncio.start_server(lambda r, w: handle(r, w), "127.0.0.1", 18199)
        await server.serve_forever()

    asyncio.run(serve())


def call(base, key, method, path, body=None, content_type="application/json"):
    request = urllib.request.Request(base + path, method=method, data=body)
    request.add_header("Authorization", "Bearer " + key)
    if body is not None:
        request.add_header("Content-Type", content_type)
    with urllib.request.urlopen(request, timeout=120) as response:
        return response.read()


def wait_ready(base, process, log):
    for _ in range(600):
        if process.poll() is not None:
            sys.exit("a node stopped; its log:\n" + open(log).read()[-3000:])
        try:
            urllib.request.urlopen(base + "/readyz", timeout=5).read()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit("a node did not become ready; see " + log)


# The log, once: EVENTS CloudTrail records (cycled) in a SQLite data directory.
base = "http://127.0.0.1:18198"
sqlite = subprocess.Popen([binary, "serve", "--data-dir", f"{work}/sqlite", "--http", "127.0.0.1:18198"],
                          stdout=subprocess.DEVNULL, stderr=open(f"{work}/sqlite.log", "w"))
for _ in range(300):
    try:
        urllib.request.urlopen(base + "/healthz", timeout=5).read()
        break
    except OSError:
        time.sleep(0.1)
key = open(f"{work}/sqlite/admin.key").read().strip()
records = [l for l in open("Benchmarks/Fixtures/cloudtrail-sigma/aws_cloudtrail.jsonl").read().splitlines() if l]
for first in range(0, events, 100):
    batch = ",".join(
        '{"specversion":"1.0","id":"ct-%d","source":"/aws/cloudtrail","type":"aws.cloudtrail",'
        '"datacontenttype":"application/json","data":%s}' % (i, records[i % len(records)])
        for i in range(first, min(first + 100, events)))
    call(base, key, "POST", "/v1/events", ("[" + batch + "]").encode(), "application/cloudevents-batch+json")
sqlite.terminate()
sqlite.wait(timeout=120)

os.makedirs(f"{work}/rules")
with open(f"{work}/rules/bench.yaml", "w") as rules:
    rules.write("targets:\n  nobody: {kind: webhook, url: 'http://127.0.0.1:9/nobody'}\n")
    rules.write("  sink: {kind: webhook, url: 'http://127.0.0.1:18199/sink', max_concurrency: 64}\n")
    rules.write("rules:\n  tenth: {pattern: {id: [{suffix: '0'}]}, targets: [{target: sink}]}\n")
    for line in open("Benchmarks/Fixtures/pattern-rules/rules-10000-seed7.jsonl").read().splitlines()[:int(os.environ.get("BENCH_RULES", "100"))]:
        rule = json.loads(line)
        rules.write(f"  {rule['name']}: {json.dumps({'pattern': {'data': rule['pattern']}, 'targets': [{'target': 'nobody'}]})}\n")
threading.Thread(target=sink, daemon=True).start()
auth = ["--nats-user", "tocsin", "--nats-password-file", f"{work}/cluster/tocsin.password"]


def routed(bases, key, nodes, logs):
    total = 0
    for node, process, log in zip(bases, nodes, logs):
        if process.poll() is not None:
            sys.exit(f"a node exited with {process.returncode}; its log:\n" + open(log).read()[-3000:])
        try:
            text = call(node, key, "GET", "/metrics").decode()
        except OSError:
            return 0
        found = re.search(r"^tocsin_router_events_total(?:\{[^}]*\})? ([0-9.e+]+)$", text, re.M)
        total += int(float(found.group(1))) if found else 0
    return total


def run(count, index):
    global delivered
    subprocess.run(["scripts/nats-cluster.sh", "start", "--port", str(port), "--dir", f"{work}/cluster"],
                   check=True, stdout=subprocess.DEVNULL)
    subprocess.run([binary, "migrate", "--to", "nats", "--data-dir", f"{work}/sqlite", "--nats-url", urls] + auth,
                   check=True, stdout=subprocess.DEVNULL, stderr=open(f"{work}/migrate.log", "w"))
    delivered = 0
    nodes, bases = [], []
    for n in range(count):
        data = f"{work}/run{index}-node{n}"
        base = f"http://127.0.0.1:{18200 + n}"
        log = data + ".log"
        process = subprocess.Popen(
            [binary, "serve", "--backend", "nats", "--nats-url", urls, *auth, "--node-name", f"n{n}",
             "--data-dir", data, "--http", f"127.0.0.1:{18200 + n}", "--rules-dir", f"{work}/rules",
             "--allow-target-network", "127.0.0.0/8"],
            stdout=subprocess.DEVNULL, stderr=open(log, "w"))
        nodes.append(process)
        bases.append(base)
    start = time.monotonic()
    for process, base in zip(nodes, bases):
        wait_ready(base, process, f"{work}/run{index}-node{bases.index(base)}.log")
    key = open(f"{work}/run{index}-node0/admin.key").read().strip() if os.path.exists(f"{work}/run{index}-node0/admin.key") \
        else open(f"{work}/run{index}-node1/admin.key").read().strip()
    routed_at = delivered_at = None
    while routed_at is None or delivered_at is None:
        now = time.monotonic()
        if routed_at is None and routed(bases, key, nodes, [f"{work}/run{index}-node{n}.log" for n in range(count)]) >= events:
            routed_at = now
        if delivered_at is None and delivered >= events // 10:
            delivered_at = now
        if now - start > 600:
            sys.exit("the nodes did not route and deliver everything within 10 minutes")
        time.sleep(0.05)
    for process in nodes:
        process.terminate()
    for process in nodes:
        process.wait(timeout=120)
    subprocess.run(["scripts/nats-cluster.sh", "stop", "--dir", f"{work}/cluster", "--clean"], stdout=subprocess.DEVNULL)
    return events / (routed_at - start), (events // 10) / (delivered_at - start)


results = {1: [], 2: []}
index = 0
for _ in range(rounds):
    for count in [int(c) for c in os.environ.get("BENCH_NODES", "1,2").split(",")]:
        rate, deliveries = run(count, index)
        index += 1
        results[count].append((rate, deliveries))
        print(f"{count} node(s): routed {rate:,.0f} events/s, delivered {deliveries:,.0f}/s", flush=True)
if results[1] and results[2]:
    one = statistics.median(r for r, _ in results[1])
    two = statistics.median(r for r, _ in results[2])
    print(f"medians: 1 node {one:,.0f} routed/s, 2 nodes {two:,.0f} routed/s ({two / one:.2f}x); deliveries "
          f"{statistics.median(d for _, d in results[1]):,.0f}/s and {statistics.median(d for _, d in results[2]):,.0f}/s")
PY
