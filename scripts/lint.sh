#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# swift-format in strict mode (config in .swift-format; Tests/ and Benchmarks/ have looser copies, the fuzz
# targets in Fuzz/Sources follow the main one), an SPDX header on every Swift file, and the embedded OpenAPI
# document equal to docs/openapi.json.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/embed-openapi.sh --check
swift format lint --strict --parallel --recursive Sources Tests Benchmarks/Benchmarks Fuzz/Sources
missing=$(grep -L "SPDX-License-Identifier" $(git ls-files '*.swift') || true)
if [ -n "$missing" ]; then
    echo "error: files without an SPDX header:" >&2
    echo "$missing" >&2
    exit 1
fi
# The console's embedded assets must match their source files.
python3 scripts/gen-console-assets.py --check
