#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs the whole test suite: unit, store, and integration tests against a real `tocsin serve`, then the
# fuzz targets for about 10 s each. One build with the NATS trait, so the NATS adapter and its tests compile
# too, and the NATS tests run against real nats-server clusters on loopback (docs/scale-out.md).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
mkdir -p .build
swift build --build-tests --traits NATS 2>&1 | tee .build/build-tests.log
# Swift 6.3 reports missing Sendable annotations as warnings in some configurations; fail on them.
if grep -q "\[#ExplicitSendable\]" .build/build-tests.log; then
    echo "error: a public type does not state whether it is Sendable (see above)" >&2
    exit 1
fi
if [ $# -eq 0 ]; then
    # The NATS suites start real 3-node clusters; they run on their own after the rest, and one at a time
    # (--no-parallel, about 3.5 minutes), so their nats-server processes never compete with a hundred Tocsin
    # servers or with each other for two cores: a starved leader election outlasts the failover tests' waits.
    swift test --skip-build --disable-xctest --traits NATS --skip "NATSTests\."
    swift test --skip-build --disable-xctest --traits NATS --no-parallel --filter "NATSTests\."
else
    swift test --skip-build --disable-xctest --traits NATS "$@"
fi
# Each fuzz target briefly, from the fixture seeds (docs/fuzzing.md): a crash, hang or sanitizer report fails
# the suite. A filtered run (arguments for swift test) skips it.
if [ $# -eq 0 ]; then
    scripts/fuzz.sh --quick
fi
