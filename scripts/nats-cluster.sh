#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Local NATS JetStream clusters for development and tests (docs/scale-out.md).
#
#   scripts/nats-cluster.sh start  [--regions 1|2] [--port BASE] [--dir DIR] [--leaf-remotes URLS] [--no-auth]
#                                  [--tls CERTDIR] [--guest-account]
#   scripts/nats-cluster.sh stop   [--dir DIR] [--clean]
#   scripts/nats-cluster.sh status [--dir DIR]
#
# Region a: servers n1 n2 n3, clients on BASE..BASE+2 (default 4222-4224), routes on BASE+2000.., monitoring
# (/jsz, /varz) on BASE+4000.., JetStream domain "a". With --regions 2, region b: servers b1 b2 b3 on
# BASE+10..BASE+12 (routes BASE+2010.., monitoring BASE+4010..), JetStream domain "b", each node linked to
# region a's leafnode ports (BASE+3000..) as a leafnode. The two domains keep their own JetStream; a
# stream in one region sources the other's stream through the domain's API prefix ($JS.a.API). Data, configs,
# logs and pid files live in DIR (default .nats-cluster/, git-ignored). start waits until every region's
# /jsz shows a meta leader and a cluster of 3. --leaf-remotes (comma-separated nats-leaf:// URLs) replaces
# the addresses region b dials for the link, for example a relay that a test cuts and restores.
#
# Every connection authenticates: clients as user "tocsin" with the password in DIR/tocsin.password, routes
# and leafnode links with passwords of their own (DIR/route.password, DIR/leaf.password). The passwords are
# random, made on the first start, and they and the configs that hold them are readable by the owner only.
# The client users live in a NATS account of their own, TOCSIN (JetStream enabled; the leafnode link is
# bound to it too): "tocsin" may publish and subscribe only to what Tocsin uses, the lists in
# scripts/nats-tocsin-permissions.conf; "auditor" (DIR/auditor.password) only reads the event log and the
# chain store, for `tocsin audit verify`; "tocsin-admin" (DIR/tocsin-admin.password) may do anything inside
# the account, for operators' tools. --guest-account adds another account, GUEST, with JetStream and a user
# "guest" (DIR/guest.password): a second tenant of the cluster, for tests of the isolation.
# --no-auth starts the servers without any (anonymous clients; for benchmarks against raw libnats).
# --tls CERTDIR makes client connections TLS with client certificates: CERTDIR holds ca.pem (the authority
# that signed the server's and the clients' certificates), server.pem and server.key (for 127.0.0.1).
set -euo pipefail
cd "$(dirname "$0")/.."

command_name=${1:-}
shift || true
regions=1
base=4222
dir=.nats-cluster
clean=false
auth=true
guest=false
tls_dir=""
leaf_remotes=""
while [ $# -gt 0 ]; do
    case "$1" in
    --regions) regions=$2; shift 2 ;;
    --port) base=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    --clean) clean=true; shift ;;
    --no-auth) auth=false; shift ;;
    --guest-account) guest=true; shift ;;
    --tls)
        tls_dir=$(cd "$2" && pwd)
        [[ $tls_dir != *'"'* ]] || { echo "--tls: the path must not contain a double quote" >&2; exit 2; }
        for file in ca.pem server.pem server.key; do
            [ -r "$tls_dir/$file" ] || { echo "--tls $2 has no readable $file" >&2; exit 2; }
        done
        shift 2 ;;
    --leaf-remotes)
        leaf_remotes=$2
        [[ $leaf_remotes =~ ^nats-leaf://[A-Za-z0-9.:-]+(,nats-leaf://[A-Za-z0-9.:-]+)*$ ]] ||
            { echo "--leaf-remotes takes comma-separated nats-leaf://host:port URLs" >&2; exit 2; }
        shift 2 ;;
    *) echo "unknown option $1; see the usage at the top of $0" >&2; exit 2 ;;
    esac
done

node_names() {
    echo n1 n2 n3
    if [ "$(cat "$dir/regions" 2>/dev/null || echo "$regions")" = 2 ]; then echo b1 b2 b3; fi
}

# Prints "client route http leaf domain cluster" for a node name.
ports_of() {
    local name=$1 index offset
    index=$((${name:1} - 1))
    if [ "${name:0:1}" = n ]; then offset=0; domain=a; else offset=10; domain=b; fi
    echo "$((base + offset + index)) $((base + 2000 + offset + index)) $((base + 4000 + offset + index)) $((base + 3000 + index)) $domain tocsin-$domain"
}

# The password in DIR/NAME.password, made (random, mode 600) when it does not exist.
password() {
    local file="$dir/$1.password"
    if [ -L "$file" ] || { [ -e "$file" ] && { [ ! -f "$file" ] || [ ! -O "$file" ]; }; }; then
        echo "$file is not a regular file of this user; remove it" >&2
        exit 1
    fi
    if [ ! -f "$file" ]; then
        (umask 077 && head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32 >"$file")
    fi
    chmod 600 "$file"
    cat "$file"
}

# The accounts block: Tocsin's account with its users, and with --guest-account another tenant's.
accounts() {
    echo "include ./nats-tocsin-permissions.conf"
    echo "accounts {"
    echo "  TOCSIN {"
    echo "    jetstream: enabled"
    echo "    users = ["
    echo "      { user: tocsin, password: \"$(password tocsin)\","
    echo "        permissions: { publish: { allow: \$TOCSIN_PUBLISH }, subscribe: { allow: \$TOCSIN_SUBSCRIBE } } }"
    echo "      { user: auditor, password: \"$(password auditor)\","
    echo "        permissions: { publish: { allow: \$TOCSIN_AUDIT_PUBLISH }, subscribe: { allow: \$TOCSIN_SUBSCRIBE } } }"
    echo "      { user: \"tocsin-admin\", password: \"$(password tocsin-admin)\" }"
    echo "    ]"
    echo "  }"
    if $guest; then
        echo "  GUEST { jetstream: enabled, users = [ { user: guest, password: \"$(password guest)\" } ] }"
    fi
    echo "}"
}

write_config() {
    local name=$1 client route http leaf domain cluster routes="" peer route_auth="" leaf_auth=""
    read -r client route http leaf domain cluster <<<"$(ports_of "$name")"
    if $auth; then
        route_auth="route:$(password route)@"
        leaf_auth="leaf:$(password leaf)@"
    fi
    for peer in 1 2 3; do
        local prefix=${name:0:1}
        read -r _ peer_route _ _ _ _ <<<"$(ports_of "$prefix$peer")"
        routes+="nats-route://${route_auth}127.0.0.1:$peer_route, "
    done
    # A config from an earlier run may have another mode: umask applies to new files only.
    rm -f "$dir/$name.conf"
    (umask 077 && {
        echo "server_name: $name"
        echo "listen: 127.0.0.1:$client"
        echo "http: 127.0.0.1:$http"
        if $auth; then
            accounts
        fi
        if [ -n "$tls_dir" ]; then
            echo "tls { cert_file: \"$tls_dir/server.pem\", key_file: \"$tls_dir/server.key\", ca_file: \"$tls_dir/ca.pem\", verify: true }"
        fi
        echo "jetstream { store_dir: \"$dir/data-$name\", domain: $domain, max_memory_store: 256MB, max_file_store: 4GB }"
        if $auth; then
            echo "cluster { name: $cluster, listen: 127.0.0.1:$route, authorization { user: route, password: \"$(password route)\" }, routes: [ ${routes%, } ] }"
        else
            echo "cluster { name: $cluster, listen: 127.0.0.1:$route, routes: [ ${routes%, } ] }"
        fi
        if [ "$domain" = a ] && [ "$regions" = 2 ]; then
            # A leafnode tells the remote its own address, which the remote then also dials. With
            # --leaf-remotes (relays in front of these ports), each server names its relay instead, so
            # region b reaches region a only through the addresses it was given.
            local advertise="" index=$((${name:1} - 1)) relay
            if [ -n "$leaf_remotes" ]; then
                IFS=, read -r -a relay <<<"$leaf_remotes"
                advertise=", advertise: \"${relay[$index]#nats-leaf://}\""
            fi
            if $auth; then
                echo "leafnodes { listen: 127.0.0.1:$leaf$advertise, authorization { user: leaf, password: \"$(password leaf)\", account: TOCSIN } }"
            else
                echo "leafnodes { listen: 127.0.0.1:$leaf$advertise }"
            fi
        elif [ "$domain" = b ]; then
            # Each region keeps Tocsin's subjects to itself (its streams would otherwise also capture the
            # other region's publishes); events cross only as stream sources. (The servers already keep
            # each domain's $JS.API.> and $KV.> apart.)
            local region_local='deny_imports: ["tocsin.>"], deny_exports: ["tocsin.>"]'
            local remotes=${leaf_remotes:-nats-leaf://127.0.0.1:$((base + 3000)),nats-leaf://127.0.0.1:$((base + 3001)),nats-leaf://127.0.0.1:$((base + 3002))}
            remotes=${remotes//nats-leaf:\/\//nats-leaf://$leaf_auth}
            if $auth; then
                echo "leafnodes { remotes: [ { urls: [ ${remotes//,/, } ], account: TOCSIN, $region_local } ] }"
            else
                echo "leafnodes { remotes: [ { urls: [ ${remotes//,/, } ], $region_local } ] }"
            fi
        fi
    } >"$dir/$name.conf")
}

# Whether the node's /jsz shows a meta leader and a cluster of 3.
has_quorum() {
    local http
    read -r _ _ http _ _ _ <<<"$(ports_of "$1")"
    curl -sf "http://127.0.0.1:$http/jsz" 2>/dev/null | python3 -c '
import json, sys
meta = json.load(sys.stdin).get("meta_cluster") or {}
sys.exit(0 if meta.get("leader") and meta.get("cluster_size") == 3 else 1)' 2>/dev/null
}

start() {
    command -v nats-server >/dev/null || { echo "nats-server is not installed; run scripts/ensure-deps.sh" >&2; exit 1; }
    mkdir -p -m 700 "$dir"
    [ -O "$dir" ] || { echo "$dir belongs to another user; choose a directory of your own with --dir" >&2; exit 1; }
    chmod 700 "$dir"
    dir=$(cd "$dir" && pwd)
    echo "$regions" >"$dir/regions"
    install -m 600 scripts/nats-tocsin-permissions.conf "$dir/nats-tocsin-permissions.conf"
    local name pid
    for name in $(node_names); do
        if [ -f "$dir/$name.pid" ] && kill -0 "$(cat "$dir/$name.pid")" 2>/dev/null; then
            continue
        fi
        write_config "$name"
        nats-server -c "$dir/$name.conf" >>"$dir/$name.log" 2>&1 &
        echo $! >"$dir/$name.pid"
    done
    for _ in $(seq 1 300); do
        if has_quorum n1 && { [ "$regions" != 2 ] || has_quorum b1; }; then
            echo "NATS cluster up: $(node_names | tr '\n' ' ')(data in $dir)"
            if $auth; then
                echo "Clients authenticate: --nats-user tocsin --nats-password-file $dir/tocsin.password"
                echo "(account TOCSIN; also users auditor and tocsin-admin, passwords in $dir/auditor.password and $dir/tocsin-admin.password)"
            fi
            return 0
        fi
        for name in $(node_names); do
            pid=$(cat "$dir/$name.pid")
            kill -0 "$pid" 2>/dev/null || { echo "nats-server $name exited; see $dir/$name.log" >&2; tail -5 "$dir/$name.log" >&2; exit 1; }
        done
        sleep 0.1
    done
    echo "no JetStream meta leader after 30 s; see the logs in $dir" >&2
    exit 1
}

stop() {
    local name pid
    [ -d "$dir" ] || return 0
    for name in $(node_names); do
        [ -f "$dir/$name.pid" ] || continue
        pid=$(cat "$dir/$name.pid")
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
        kill -9 "$pid" 2>/dev/null || true
        rm -f "$dir/$name.pid"
    done
    if $clean; then rm -rf "$dir"; fi
}

status() {
    local name pid client
    for name in $(node_names); do
        read -r client _ _ _ _ _ <<<"$(ports_of "$name")"
        pid=$(cat "$dir/$name.pid" 2>/dev/null || true)
        if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
            echo "$name running (pid $pid, nats://127.0.0.1:$client)$(has_quorum "$name" && echo ", JetStream quorum")"
        else
            echo "$name stopped"
        fi
    done
}

case "$command_name" in
start) start ;;
stop) stop ;;
status) status ;;
*) echo "usage: $0 start|stop|status [--regions 1|2] [--port BASE] [--dir DIR] [--clean] [--no-auth] [--guest-account]" >&2; exit 2 ;;
esac
