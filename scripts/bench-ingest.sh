#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `tocsin ingest` of a ~100 MB CloudTrail file set (gzipped {"Records":[…]} files of 2,000 records
# each, built from the benchmark corpus with unique eventIDs) against a release server; reports
# records/s and the peak RSS of the CLI and of the server (target: flat memory, independent of
# the set's size).
# Usage: scripts/bench-ingest.sh [megabytes]   (default 100, uncompressed)
set -euo pipefail
cd "$(dirname "$0")/.."
megabytes="${1:-100}"
swift build -c release --product tocsin
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 - "$work/set" "$megabytes" <<'PY'
import gzip, json, os, sys, uuid
out, megabytes = sys.argv[1], int(sys.argv[2])
os.makedirs(out)
corpus = [json.loads(l) for l in open("Benchmarks/Fixtures/cloudtrail-sigma/aws_cloudtrail.jsonl")]
written, index, file = 0, 0, 0
while written < megabytes * 1024 * 1024:
    records = []
    for _ in range(2000):
        record = dict(corpus[index % len(corpus)]); index += 1
        record["eventID"] = str(uuid.UUID(int=index))
        records.append(record)
    body = json.dumps({"Records": records}).encode()
    written += len(body)
    with gzip.open(f"{out}/trail-{file:04d}.json.gz", "wb") as f:
        f.write(body)
    file += 1
print(f"{file} files, {written / 1048576:.0f} MB uncompressed, {index} records")
PY
data="$work/data"
port=18093
/usr/bin/time -f "server peak RSS %M KB" .build/release/tocsin serve --data-dir "$data" --http "127.0.0.1:$port" \
    >/dev/null 2>"$work/server.log" &
server=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
start=$(date +%s.%N)
/usr/bin/time -f "ingest peak RSS %M KB" .build/release/tocsin ingest --format cloudtrail --no-progress \
    --server "http://127.0.0.1:$port" --key "$(cat "$data/admin.key")" "$work"/set/*.json.gz 2>"$work/rejected.log" || true
tail -1 "$work/rejected.log"
end=$(date +%s.%N)
python3 -c "print(f'ingest wall time {$end - $start:.1f} s')"
pkill -TERM -P "$server"
wait "$server" || true
grep "peak RSS" "$work/server.log"
.build/release/tocsin audit verify --data-dir "$data" | tail -1
