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
#   BENCH_COMPARE=path also measures that binary: each round runs on BENCH_BINARY, then on this one,
#     restarting the server on the same data directory (interleaved A/B rounds over one log).
#   BENCH_PERF=file records a `perf record -g` profile of the first server over the rounds into file
#     (use it without BENCH_COMPARE, whose restarts end the profiled process).
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
trap '[ -f "$work/server.pid" ] && kill -TERM "$(cat "$work/server.pid")" 2>/dev/null; rm -rf "$work"' EXIT
python3 - "$events" "$rounds" "$work" "$binary" ${BENCH_COMPARE:+"$BENCH_COMPARE"} <<'PY'
import json, os, statistics, subprocess, sys, time, urllib.request
from datetime import datetime

events, rounds, work, binaries = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4:]
port = 18096
base = f"http://127.0.0.1:{port}"
server = None


def start(binary):
    """Starts a server on the shared data directory and waits for its health check."""
    global server
    log = open(f"{work}/serve.log", "ab")
    command = [binary, "serve", "--data-dir", f"{work}/data", "--http", f"127.0.0.1:{port}"]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log)
    open(f"{work}/server.pid", "w").write(str(server.pid))
    for _ in range(300):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=5).read()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"{binary} did not answer its health check; see its log")


def stop():
    server.terminate()
    server.wait(timeout=120)
    os.remove(f"{work}/server.pid")


def call(method, path, body=None, content_type="application/json"):
    request = urllib.request.Request(base + path, method=method, data=body)
    request.add_header("Authorization", "Bearer " + open(f"{work}/data/admin.key").read().strip())
    if body is not None:
        request.add_header("Content-Type", content_type)
    with urllib.request.urlopen(request, timeout=120) as response:
        text = response.read()
        return json.loads(text) if text else None


def cpu_seconds():
    fields = open(f"/proc/{server.pid}/stat").read().rsplit(")", 1)[1].split()
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
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000


def replay():
    """One dry-run replay of the whole range: (events/s, µs of server CPU per event, report)."""
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
    return count / elapsed, used * 1e6 / count, status


start(binaries[0])
records = [line for line in open("Benchmarks/Fixtures/cloudtrail-sigma/aws_cloudtrail.jsonl").read().splitlines() if line]
for first in range(0, events, 100):
    batch = ",".join(
        '{"specversion":"1.0","id":"ct-%d","source":"/aws/cloudtrail","type":"aws.cloudtrail",'
        '"datacontenttype":"application/json","data":%s}' % (index, records[index % len(records)])
        for index in range(first, min(first + 100, events))
    )
    call("POST", "/v1/events", ("[" + batch + "]").encode(), "application/cloudevents-batch+json")
call("PUT", "/v1/targets/sink", json.dumps({"kind": "webhook", "url": "http://127.0.0.1:9/sink"}).encode())
for line in open("Benchmarks/Fixtures/pattern-rules/rules-10000-seed7.jsonl").read().splitlines()[:100]:
    rule = json.loads(line)
    body = {"pattern": {"data": rule["pattern"]}, "targets": [{"target": "sink"}]}
    call("PUT", "/v1/rules/" + rule["name"], json.dumps(body).encode())
settle()
profile = None
if os.environ.get("BENCH_PERF"):
    profile = subprocess.Popen(
        ["perf", "record", "-F", "999", "-g", "-o", os.environ["BENCH_PERF"], "-p", str(server.pid)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1)
results = {binary: ([], []) for binary in binaries}
running = binaries[0]
for round in range(1, rounds + 1):
    for binary in binaries:
        if binary != running:
            stop()
            start(binary)
            settle()
            running = binary
        rate, cost, status = replay()
        results[binary][0].append(rate)
        results[binary][1].append(cost)
        label = f" {binary}" if len(binaries) > 1 else ""
        print(
            f"round {round}{label}: {status['status']}, {status['range']['events']:,} events, {rate:,.0f} events/s, "
            f"{cost:.2f} µs CPU per event; matched {status['report']['matched']:,}",
            flush=True,
        )
if profile is not None:
    profile.send_signal(2)
    profile.wait()
stop()
for binary, (rates, costs) in results.items():
    label = f" {binary}" if len(binaries) > 1 else ""
    print(f"median{label}: {statistics.median(rates):,.0f} events/s, {statistics.median(costs):.2f} µs CPU per event")
PY
