#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# SIGTERM soak (not in CI): runs the SIGTERM-under-load integration test 20 times (rules directory,
# a webhook, an exec target and a dead target; exit 0, a final checkpoint, nothing lost after restart).
# Usage: scripts/sigterm-soak.sh [rounds]   (default 20)
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
TOCSIN_SIGTERM_ROUNDS="${1:-20}" swift test --skip-build --disable-xctest --filter SigtermTests
