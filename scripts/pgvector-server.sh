#!/usr/bin/env bash
# A throw-away PostgreSQL 16 with pgvector for the tests and benchmarks, from the PyPI package pgserver
# (PostgreSQL 16.2 + pgvector 0.6.2 binaries; Debian ships no pgvector).
#
#   scripts/pgvector-server.sh start DIR   # initdb in DIR/data, listen on 127.0.0.1:<free port>, print the URL
#   scripts/pgvector-server.sh stop DIR    # stop it (DIR is left for the caller to remove)
#
# The server trusts loopback connections from user "mind" (no password) and listens on 127.0.0.1 only, with no
# Unix socket. PostgreSQL refuses to run as root, so under root the binaries are copied into DIR/pkg (35 MB) and run as
# "nobody". pgserver is installed with pip when missing (the one step that needs the network).
set -euo pipefail

usage() { echo "usage: $0 start|stop DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
action=$1
dir=$2

as_server_user() {
    if [ "$(id -u)" -eq 0 ]; then
        setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"
    else
        "$@"
    fi
}

bin_dir() {
    if [ -x "$dir/pkg/pgserver/pginstall/bin/pg_ctl" ]; then echo "$dir/pkg/pgserver/pginstall/bin"; return; fi
    local package
    package=$(python3 -c 'import os, pgserver; print(os.path.dirname(pgserver.__file__))' 2>/dev/null) || return 1
    echo "$package/pginstall/bin"
}

case "$action" in
start)
    if ! python3 -c 'import pgserver' >/dev/null 2>&1 && [ ! -x "$dir/pkg/pgserver/pginstall/bin/pg_ctl" ]; then
        echo "installing pgserver (PostgreSQL 16 + pgvector) with pip..." >&2
        python3 -m pip install --quiet --disable-pip-version-check pgserver >&2
    fi
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    bin=$(bin_dir) || { echo "pgserver is not importable by python3" >&2; exit 1; }
    if [ "$(id -u)" -eq 0 ] && [ "$bin" != "$dir/pkg/pgserver/pginstall/bin" ]; then
        # The binaries find their libraries at $ORIGIN/../../../pgserver.libs: keep that layout.
        package=$(dirname "$(dirname "$bin")")
        mkdir -p "$dir/pkg/pgserver"
        cp -a "$package/pginstall" "$dir/pkg/pgserver/"
        cp -a "$(dirname "$package")/pgserver.libs" "$dir/pkg/"
        bin="$dir/pkg/pgserver/pginstall/bin"
        chown -R nobody:nogroup "$dir"
        chmod 755 "$dir"
    fi
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        as_server_user "$bin/initdb" -D "$dir/data" -U mind --auth=trust --encoding=UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
            || { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
    cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = ''
maintenance_work_mem = '512MB'
CONF
    as_server_user "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >&2 \
        || { cat "$dir/server.log" >&2; exit 1; }
    url="postgres://mind@127.0.0.1:$port/postgres"
    echo "$url" >"$dir/url"
    echo "$url"
    ;;
stop)
    [ -d "$dir/data" ] || { echo "no server data in $dir" >&2; exit 1; }
    bin=$(bin_dir) || { echo "pgserver is not importable by python3" >&2; exit 1; }
    as_server_user "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >&2
    ;;
*)
    usage
    ;;
esac
