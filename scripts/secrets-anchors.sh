#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs Tocsin's compliance scan and the secret-scanning anchors (detect-secrets from PyPI, in a
# venv; gitleaks when a `gitleaks` binary is on PATH) over the same file, and prints each tool's
# throughput and the agreement on which lines hold a secret.
#
# Usage: scripts/secrets-anchors.sh [TOCSIN_BINARY] [COPIES]
#   TOCSIN_BINARY  default .build/release/tocsin (build it with: swift build -c release --product tocsin)
#   COPIES         how many times the corpus is repeated (default 20; one copy is about 0.9 MB of CloudTrail and 200 generated lines)
# The corpus is the 744 CloudTrail records of the benchmarks plus generated lines that each carry
# one secret of a known kind (AWS key pair, PEM key, JWT, GitHub and Slack tokens, password in a
# URL) or a near miss; generated values are random, never real credentials.
set -euo pipefail
cd "$(dirname "$0")/.."
tocsin=${1:-.build/release/tocsin}
copies=${2:-20}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
venv=${DETECT_SECRETS_VENV:-$HOME/.cache/tocsin-detect-secrets}
if [ ! -x "$venv/bin/detect-secrets" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q 'detect-secrets==1.5.0'
fi

python3 - "$work/corpus.jsonl" "$copies" <<'PY'
import json, random, string, sys
path, copies = sys.argv[1], int(sys.argv[2])
rng = random.Random(16)
def pick(alphabet, n): return "".join(rng.choice(alphabet) for _ in range(n))
up, low, dig = string.ascii_uppercase, string.ascii_lowercase, string.digits
b64 = up + low + dig + "/+"
def secret_line():
    kind = rng.randrange(8)
    if kind == 0:
        return {"credentials": {"AccessKeyId": "AKIA" + pick(up + "234567", 16),
                                "SecretAccessKey": pick(b64, 40)}}
    if kind == 1:
        body = "\n".join(pick(b64, 64) for _ in range(4))
        return {"key": "-----BEGIN RSA PRIVATE KEY-----\n" + body + "\n-----END RSA PRIVATE KEY-----"}
    if kind == 2:
        import base64
        enc = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).decode().rstrip("=")
        return {"authorization": "Bearer " + enc({"alg": "HS256", "typ": "JWT"}) + "." +
                enc({"sub": pick(dig, 8)}) + "." + pick(up + low + dig + "-_", 43)}
    if kind == 3:
        return {"token": "ghp_" + pick(up + low + dig, 36)}
    if kind == 4:
        return {"hook": "xoxb-" + pick(dig, 12) + "-" + pick(dig, 13) + "-" + pick(up + low + dig, 24)}
    if kind == 5:
        return {"dsn": "postgres://app:" + pick(low + dig, 12) + "@db.internal:5432/app"}
    if kind == 6:
        return {"note": "build " + pick(low, 8) + " finished", "id": "AKIB" + pick(up, 16)}
    return {"user": {"name": pick(low, 6)}, "ok": True}
cloudtrail = [l for l in open("Benchmarks/Fixtures/cloudtrail-sigma/aws_cloudtrail.jsonl") if l.strip()]
with open(path, "w") as out:
    for _ in range(copies):
        for line in cloudtrail:
            out.write(line.strip() + "\n")
        for _ in range(200):
            out.write(json.dumps(secret_line(), separators=(",", ":")) + "\n")
PY
bytes=$(wc -c < "$work/corpus.jsonl")
lines=$(wc -l < "$work/corpus.jsonl")
echo "corpus: $lines lines, $bytes bytes"

seconds() { python3 -c 'import sys,time; print(f"{float(sys.argv[2])-float(sys.argv[1]):.3f}")' "$1" "$2"; }
now() { python3 -c 'import time; print(time.time())'; }

start=$(now)
"$tocsin" compliance scan --events "$work/corpus.jsonl" > "$work/tocsin.jsonl" || true
end=$(now)
tocsin_s=$(seconds "$start" "$end")

start=$(now)
(cd "$work" && "$venv/bin/detect-secrets" scan --all-files corpus.jsonl > detect-secrets.json)
end=$(now)
ds_s=$(seconds "$start" "$end")

gitleaks_s=""
if command -v gitleaks > /dev/null; then
    start=$(now)
    gitleaks dir --no-banner --report-format json --report-path "$work/gitleaks.json" "$work/corpus.jsonl" || true
    end=$(now)
    gitleaks_s=$(seconds "$start" "$end")
fi

python3 - "$work" "$bytes" "$tocsin_s" "$ds_s" "$gitleaks_s" <<'PY'
import json, os, sys
work, size = sys.argv[1], int(sys.argv[2])
secret_categories = {"aws_access_key_id", "aws_secret_access_key", "private_key", "jwt", "github_token",
                     "slack_token", "password_in_url"}
tocsin = set()
for line in open(os.path.join(work, "tocsin.jsonl")):
    record = json.loads(line)
    if any(f["category"] in secret_categories for f in record["findings"]):
        tocsin.add(record["line"])
ds_all = json.load(open(os.path.join(work, "detect-secrets.json")))["results"].get("corpus.jsonl", [])
# Entropy and keyword plugins flag any random-looking string; compare against the typed plugins.
typed = {r["line_number"] for r in ds_all if "High Entropy" not in r["type"] and r["type"] != "Secret Keyword"}
anything = {r["line_number"] for r in ds_all}
def rate(seconds):
    return f"{size / 1e6 / float(seconds):.1f} MB/s ({float(seconds):.2f} s)" if seconds else "not run"
print(f"tocsin compliance scan: {rate(sys.argv[3])}, {len(tocsin)} lines with a secret")
print(f"detect-secrets 1.5.0:   {rate(sys.argv[4])}, {len(typed)} lines by typed plugins, "
      f"{len(anything)} including entropy/keyword plugins")
print(f"agreement with detect-secrets' typed plugins: both {len(tocsin & typed)}, "
      f"tocsin only {len(tocsin - typed)}, detect-secrets only {len(typed - tocsin)}")
if sys.argv[5]:
    findings = json.load(open(os.path.join(work, "gitleaks.json")))
    gl = {f["StartLine"] for f in findings}
    print(f"gitleaks: {rate(sys.argv[5])}, {len(gl)} lines; both {len(tocsin & gl)}, "
          f"tocsin only {len(tocsin - gl)}, gitleaks only {len(gl - tocsin)}")
else:
    print("gitleaks: not run (no gitleaks binary on PATH)")
PY
