#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds Tocsin in release mode and installs it: the binary, bash/zsh/fish completions, the man page,
# the systemd unit and an example /etc/tocsin/tocsin.yaml (never over an existing one).
#
#   scripts/install.sh [--prefix DIR] [--sysconfdir DIR] [--unitdir DIR] [--binary FILE] [--man-page FILE]
#
# DESTDIR (environment) is prepended to every destination, for packaging or a trial install.
# --binary installs an already-built tocsin instead of building; it then installs a man page only if
# --man-page names one (generating it needs the package's build of generate-manual, see docs/operations.md).
set -euo pipefail
cd "$(dirname "$0")/.."

prefix=/usr/local
sysconfdir=/etc
unitdir=
binary=
manpage=
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) prefix="$2"; shift 2 ;;
        --sysconfdir) sysconfdir="$2"; shift 2 ;;
        --unitdir) unitdir="$2"; shift 2 ;;
        --binary) binary="$2"; shift 2 ;;
        --man-page) manpage="$2"; shift 2 ;;
        -h|--help) sed -n '3,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "error: unknown argument $1; see --help" >&2; exit 64 ;;
    esac
done
unitdir="${unitdir:-$sysconfdir/systemd/system}"
destdir="${DESTDIR:-}"

if [ -z "$binary" ]; then
    scripts/ensure-deps.sh
    swift build -c release --product tocsin
    binary="$(swift build -c release --show-bin-path)/tocsin"
    # swift-argument-parser's generate-manual tool (the tool behind its plugin, without the plugin's
    # rebuild of every product): reads 'tocsin --experimental-dump-help' and writes tocsin.1.
    swift build -c release --product generate-manual
    mkdir -p .build/man
    "$(swift build -c release --show-bin-path)/generate-manual" "$binary" --output-directory .build/man
    manpage=.build/man/tocsin.1
fi
[ -x "$binary" ] || { echo "error: $binary is not an executable tocsin" >&2; exit 1; }

install -d -m 0755 "$destdir$prefix/bin"
install -m 0755 "$binary" "$destdir$prefix/bin/tocsin"

completions=(
    "bash:$prefix/share/bash-completion/completions/tocsin"
    "zsh:$prefix/share/zsh/site-functions/_tocsin"
    "fish:$prefix/share/fish/vendor_completions.d/tocsin.fish"
)
for entry in "${completions[@]}"; do
    shell="${entry%%:*}"
    path="$destdir${entry#*:}"
    install -d -m 0755 "$(dirname "$path")"
    "$binary" --generate-completion-script "$shell" >"$path"
    chmod 0644 "$path"
done

if [ -n "$manpage" ]; then
    install -D -m 0644 "$manpage" "$destdir$prefix/share/man/man1/tocsin.1"
else
    echo "note: no man page installed (--binary without --man-page)" >&2
fi

install -d -m 0755 "$destdir$unitdir"
sed "s#/usr/local/bin/tocsin#$prefix/bin/tocsin#; s#/etc/tocsin/#$sysconfdir/tocsin/#g" \
    deploy/systemd/tocsin.service >"$destdir$unitdir/tocsin.service"
chmod 0644 "$destdir$unitdir/tocsin.service"

install -d -m 0755 "$destdir$sysconfdir/tocsin" "$destdir$sysconfdir/tocsin/rules"
if [ -e "$destdir$sysconfdir/tocsin/tocsin.yaml" ]; then
    echo "kept $destdir$sysconfdir/tocsin/tocsin.yaml; the new example is tocsin.yaml.example" >&2
    install -m 0644 deploy/tocsin.yaml "$destdir$sysconfdir/tocsin/tocsin.yaml.example"
else
    sed "s#/etc/tocsin/#$sysconfdir/tocsin/#g" deploy/tocsin.yaml >"$destdir$sysconfdir/tocsin/tocsin.yaml"
    chmod 0644 "$destdir$sysconfdir/tocsin/tocsin.yaml"
fi

echo "Installed tocsin into ${destdir:-/}$prefix; next: systemctl daemon-reload && systemctl enable --now tocsin"
