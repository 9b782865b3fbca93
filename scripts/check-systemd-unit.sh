#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Checks deploy/systemd/tocsin.service with systemd-analyze, offline (no systemd needs to run):
# 'verify' (syntax, directives, the ExecStart binary) and 'security', whose exposure score must stay
# at or below the one reported in docs/operations.md. ExecStart is pointed at an existing binary
# (--binary, default /bin/true) since verify checks that it is executable.
set -euo pipefail
cd "$(dirname "$0")/.."
binary=/bin/true
maximum=2.0
while [ $# -gt 0 ]; do
    case "$1" in
        --binary) binary="$2"; shift 2 ;;
        --maximum) maximum="$2"; shift 2 ;;
        *) echo "error: unknown argument $1" >&2; exit 64 ;;
    esac
done
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
sed "s#/usr/local/bin/tocsin#$binary#" deploy/systemd/tocsin.service >"$work/tocsin.service"
# --man=no: the Documentation= man page is installed by scripts/install.sh, not present here.
systemd-analyze verify --man=no "$work/tocsin.service"
systemd-analyze security --offline=yes --no-pager "$work/tocsin.service" >"$work/security.txt" 2>&1 || true
score="$(sed -n 's/.*Overall exposure level for tocsin.service: \([0-9.]*\).*/\1/p' "$work/security.txt")"
if [ -z "$score" ]; then
    cat "$work/security.txt" >&2
    echo "error: systemd-analyze security printed no exposure level" >&2
    exit 1
fi
echo "systemd-analyze security: exposure $score (at most $maximum)"
awk -v s="$score" -v m="$maximum" 'BEGIN { exit !(s <= m) }' || {
    grep '✗' "$work/security.txt" >&2 || true
    echo "error: exposure $score is above $maximum" >&2
    exit 1
}
