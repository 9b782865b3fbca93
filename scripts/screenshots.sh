#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Saves a PNG of each web console page into docs/console/ by running the browser test (headless Chromium
# over WebDriver against a real server on loopback) with TOCSIN_SCREENSHOTS set.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
mkdir -p docs/console
swift build --build-tests --target IntegrationTests
TOCSIN_SCREENSHOTS="$PWD/docs/console" swift test --skip-build --disable-xctest --filter ConsoleBrowserTests
ls -1 docs/console/*.png
