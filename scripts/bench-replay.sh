#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A replay end to end through a release server (docs/replay.md#performance; target: 100,000 events/s
# through 100 rules into a shadow report). Logs EVENTS CloudEvents whose data are the benchmark
# corpus's CloudTrail records (cycled), then defines 100 pattern rules (the first 100 of
# Benchmarks/Fixtures/pattern-rules/rules-10000-seed7.jsonl, on the event's data, each with one webhook
# target that nothing ever calls) and runs `POST /v1/replays` over the whole range as a dry run, ROUNDS
# times on the same log. Prints, per round, events/s from the replay's acceptance to its completion
# (its `created` and `completed` times) and the server's CPU time (user + system, from /proc) per
# replayed event, then the medians.
# Usage: scripts/bench-replay.sh [rounds, default 3] [events, default 100000]
#   BENCH_BINARY=path measures that tocsin binary instead of building .build/release/tocsin.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"
events="${2:-100000}"
binary="${BENCH_BINARY:-.build/release/tocsin}"
if [ -z "${BENCH_BINARY:-}" ]; then
    scripts/ensure-deps.sh
    swift build -c release --product tocsin
fi
work="$(mktemp -d)"
server=""
trap '[ -n "$server" ] && kill -TERM "$server" 2>/dev/null; rm -rf "$work"' EXIT
port=18096
"$binary" serve --data-dir "$work/data" --http "127.0.0.1:$port" >/dev/null 2>"$work/serve.log" &
server=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
TOCSIN_KEY="$(cat "$work/data/admin.key")" python3 - "$port" "$events" "$rounds" "$server" <<'PY'
import json, os, statistics, sys, time, urllib.request

port, events, rounds, server = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
base = f"http://127.0.0.1:{port}"
key = os.environ["TOCSIN_KEY"]


def call(method, path, body=None, content_type="application/json"):
    request = urllib.request.Request(base + path, method=method, data=body)
    request.add_header("Authorization", "Bearer " + key)
    if body is not None:
        request.add_header("Content-Type", content_type)
    with urllib.request.urlopen(request, timeout=120) as response:
        text = response.read()
        return json.loads(text) if text else None


def cpu_seconds():
    fields = open(f"/proc/{server}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def settle():
    """Waits until the server's CPU clock stops moving (its log readers have caught up)."""
    previous = -1.0
    for _ in range(120):
        now = cpu_seconds()
        if now - previous < 0.03:
            return
        previous = now
        time.sleep(1)


def milliseconds(text):
    from datetime import datetime

    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000


records = [line for line in open("Benchmarks/Fixtures/cloudtrail-sigma/aws_cloudtrail.jsonl").read().splitlines() if line]
for start in range(0, events, 100):
    batch = ",".join(
        '{"specversion":"1.0","id":"ct-%d","source":"/aws/cloudtrail","type":"aws.cloudtrail",'
        '"datacontenttype":"application/json","data":%s}' % (index, records[index % len(records)])
        for index in range(start, min(start + 100, events))
    )
    call("POST", "/v1/events", ("[" + batch + "]").encode(), "application/cloudevents-batch+json")
call("PUT", "/v1/targets/sink", json.dumps({"kind": "webhook", "url": "http://127.0.0.1:9/sink"}).encode())
for line in open("Benchmarks/Fixtures/pattern-rules/rules-10000-seed7.jsonl").read().splitlines()[:100]:
    rule = json.loads(line)
    body = {"pattern": {"data": rule["pattern"]}, "targets": [{"target": "sink"}]}
    call("PUT", "/v1/rules/" + rule["name"], json.dumps(body).encode())
settle()
rates, costs = [], []
for round in range(1, rounds + 1):
    before = cpu_seconds()
    replay = call("POST", "/v1/replays", json.dumps({"from": 1, "to": events, "dry_run": True}).encode())
    for _ in range(6000):
        status = call("GET", f"/v1/replays/{replay['id']}")
        if status["status"] != "running":
            break
        time.sleep(0.05)
    settle()
    used = cpu_seconds() - before
    count = status["range"]["events"]
    elapsed = (milliseconds(status["completed"]) - milliseconds(status["created"])) / 1000
    rates.append(count / elapsed)
    costs.append(used * 1e6 / count)
    report = status["report"]
    print(
        f"round {round}: {status['status']}, {count:,} events in {elapsed:.3f} s, {rates[-1]:,.0f} events/s, "
        f"{costs[-1]:.2f} µs CPU per event; matched {report['matched']:,}"
    )
print(f"median: {statistics.median(rates):,.0f} events/s, {statistics.median(costs):.2f} µs CPU per event")
PY
