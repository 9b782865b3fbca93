#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs the system packages Tocsin needs to build (GRDB links the system SQLite; the source
# readers link the system zlib) and to test (gzip, to compress test bodies; python3 and schemathesis, in a
# virtual environment under .build, to test the server against docs/openapi.json; systemd-analyze, to
# check the systemd unit; Chromium and its WebDriver, for the web console's browser tests and
# scripts/screenshots.sh; nats-server, libnats-dev and curl, for the NATS adapter built under the NATS trait and
# its tests against real servers started by scripts/nats-cluster.sh).
set -euo pipefail
need=()
dpkg -s libsqlite3-dev >/dev/null 2>&1 || need+=(libsqlite3-dev)
dpkg -s zlib1g-dev >/dev/null 2>&1 || need+=(zlib1g-dev)
command -v gzip >/dev/null || need+=(gzip)
command -v python3 >/dev/null || need+=(python3)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need+=(python3-venv)
# systemd-analyze checks the systemd unit (scripts/check-systemd-unit.sh, OperatorFilesTests).
command -v systemd-analyze >/dev/null || need+=(systemd)
command -v chromium >/dev/null || need+=(chromium)
command -v chromedriver >/dev/null || need+=(chromium-driver)
command -v nats-server >/dev/null || need+=(nats-server)
dpkg -s libnats-dev >/dev/null 2>&1 || need+=(libnats-dev)
command -v curl >/dev/null || need+=(curl)
if [ "${#need[@]}" -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}"
fi
command -v swift >/dev/null || { echo "swift is not on PATH; install Swift 6.2 or later" >&2; exit 1; }
cd "$(dirname "$0")/.."
schemathesis_version=4.32.5
venv=.build/schemathesis-venv
if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "$schemathesis_version"; then
    rm -rf "$venv"
    mkdir -p .build
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$schemathesis_version"
fi
