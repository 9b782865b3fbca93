#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs schemathesis (installed in .build/schemathesis-venv by scripts/ensure-deps.sh) against a running
# server with docs/openapi.json: every operation but the endless /v1/stream, a fixed number of examples per
# operation from a fixed seed (SCHEMATHESIS_EXAMPLES and SCHEMATHESIS_SEED change them), failing on any 5xx
# or any status, header, content type or body outside the document.
# Usage: scripts/schemathesis.sh BASE_URL ADMIN_KEY
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -ne 2 ]; then
    echo "usage: $0 BASE_URL ADMIN_KEY" >&2
    exit 2
fi
runner=.build/schemathesis-venv/bin/schemathesis
if [ ! -x "$runner" ]; then
    echo "error: $runner is missing; run scripts/ensure-deps.sh to install schemathesis" >&2
    exit 1
fi
# schemathesis keeps a cache in its working directory; keep it under .build, out of the work tree.
root=$(pwd)
mkdir -p .build/schemathesis-work
cd .build/schemathesis-work
run() {
    "$root/$runner" run "$root/docs/openapi.json" \
        --url "$1" \
        --header "Authorization: Bearer $2" \
        --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
        --exclude-path /v1/stream \
        --phases examples,coverage,fuzzing \
        --max-examples "${SCHEMATHESIS_EXAMPLES:-10}" \
        --seed "${SCHEMATHESIS_SEED:-15}" \
        --workers 1 \
        --request-timeout 10 \
        --no-shrink \
        --output-sanitize true \
        "${@:3}"
}
# schemathesis reuses names it has seen in answers, so it may revoke or rotate the very key it runs with;
# those two operations run last, on their own, where losing the key only turns their answers into 401s.
status=0
run "$1" "$2" --exclude-operation-id revokeKey --exclude-operation-id rotateKey || status=1
run "$1" "$2" --include-operation-id revokeKey --include-operation-id rotateKey || status=1
exit "$status"
