#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds (release) and starts Tocsin on the embedded store: ./tocsin-data, http://127.0.0.1:8080.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
exec swift run -c release tocsin serve "$@"
