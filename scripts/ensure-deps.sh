#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs the system packages Tocsin needs to build (GRDB links the system SQLite; the source
# readers link the system zlib) and to test (gzip, to compress test bodies).
set -euo pipefail
need=()
dpkg -s libsqlite3-dev >/dev/null 2>&1 || need+=(libsqlite3-dev)
dpkg -s zlib1g-dev >/dev/null 2>&1 || need+=(zlib1g-dev)
command -v gzip >/dev/null || need+=(gzip)
if [ "${#need[@]}" -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}"
fi
command -v swift >/dev/null || { echo "swift is not on PATH; install Swift 6.2 or later" >&2; exit 1; }
