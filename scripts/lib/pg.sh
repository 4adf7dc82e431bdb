#!/usr/bin/env bash
# Throw-away PostgreSQL clusters for scripts/test and scripts/bench, plus the
# small helpers both scripts need. Sourced, it only defines functions:
#
#   pg_start test    fsync and synchronous_commit off: tests need speed, not durability
#   pg_start bench   stock durability settings, so the benchmark measures real commits
#   pg_start_replica a streaming replica of the running cluster (pg_basebackup -R: a
#                    standby.signal and primary_conninfo), hot standby on its own port
#   pg_stop          stop the cluster (and its replica) and delete its folder; safe to call twice
#
# pg_start exports PG_URL=postgres://postgres@127.0.0.1:PORT/postgres, pg_start_replica
# PG_REPLICA_URL the same way.
#
# Run directly (scripts/lib/pg.sh [test|bench]) it starts a cluster and keeps
# it until Enter or Ctrl-C, for running single tests against PostgreSQL:
#   TEST_DATABASE_URL=<printed URL> cargo test some_test
#
# Kept compatible with bash 3.2 (macOS) because developers run scripts/test there.

PG_BIN=""
PG_DIR=""
PG_PORT=""
PG_URL=""
PG_REPLICA_PORT=""
PG_REPLICA_URL=""

# Prints a TCP port on 127.0.0.1 that nothing listens on right now.
free_port() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
        return
    fi
    # Without python3: a port that refuses a connection is free (modulo races,
    # which the callers survive by retrying or failing loudly).
    local i p
    for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
        p=$((20000 + (RANDOM * 7 + i) % 30000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"
            return 0
        fi
    done
    echo "free_port: no free port found" >&2
    return 1
}

# Exit status 0 when URL answers with a 2xx. curl when present; python3 otherwise,
# because a fresh CI machine is only promised python3.
http_ok() {
    if command -v curl >/dev/null 2>&1; then
        curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null
    else
        python3 -c 'import sys, urllib.request
urllib.request.urlopen(sys.argv[1], timeout=2)' "$1" 2>/dev/null
    fi
}

# Sets PG_BIN to a folder holding initdb and pg_ctl; status 1 when there is none.
# pg_config alone is not proof: Debian's libpq-dev ships it without the server.
pg_find_bin() {
    local dir="" d
    if command -v pg_config >/dev/null 2>&1; then
        dir=$(pg_config --bindir 2>/dev/null || true)
    fi
    if [ -z "$dir" ] || [ ! -x "$dir/initdb" ] || [ ! -x "$dir/pg_ctl" ]; then
        dir=""
        # Debian installs each major version side by side, and Homebrew's
        # postgresql@N is keg-only (not on PATH); take the newest.
        local best=0 v
        for d in /usr/lib/postgresql/*/bin /opt/homebrew/opt/postgresql@*/bin /usr/local/opt/postgresql@*/bin; do
            if [ ! -x "$d/initdb" ] || [ ! -x "$d/pg_ctl" ]; then continue; fi
            v=${d%/bin}
            v=${v##*[/@]}
            v=${v%%[!0-9]*}
            if [ -n "$v" ] && [ "$v" -gt "$best" ]; then
                best=$v
                dir=$d
            fi
        done
    fi
    if [ -z "$dir" ] && command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        dir=$(dirname "$(command -v initdb)")
    fi
    [ -n "$dir" ] || return 1
    PG_BIN=$dir
}

# PostgreSQL refuses to run as root, so root hands the cluster to the
# `postgres` system user that the Debian package creates.
_pg_as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        # cd first: initdb and pg_ctl fail when they cannot stat the caller's cwd.
        (cd "$PG_DIR" && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

pg_start() {
    local mode=${1:-}
    case $mode in
        test | bench) ;;
        *)
            echo "pg_start: say 'test' (fast, not durable) or 'bench' (durable)" >&2
            return 2
            ;;
    esac
    if [ -n "$PG_DIR" ]; then
        echo "pg_start: a cluster is already running in $PG_DIR" >&2
        return 1
    fi
    if [ -z "$PG_BIN" ] && ! pg_find_bin; then
        echo "pg_start: PostgreSQL server binaries (initdb, pg_ctl) not found" >&2
        return 1
    fi
    if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
        echo "pg_start: running as root needs the 'postgres' system user (apt-get install postgresql creates it)" >&2
        return 1
    fi

    PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/throughline-pg.XXXXXX")
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres: "$PG_DIR"
        # A TMPDIR under /root is not reachable for the postgres user.
        if ! runuser -u postgres -- test -w "$PG_DIR"; then
            rm -rf "$PG_DIR"
            PG_DIR=$(mktemp -d /tmp/throughline-pg.XXXXXX)
            chown postgres: "$PG_DIR"
        fi
    fi

    # --no-sync: the cluster is thrown away; syncing initdb's files only costs time.
    if ! _pg_as_owner "$PG_BIN/initdb" -D "$PG_DIR/data" --locale=C -E UTF8 -U postgres \
        --auth=trust --no-sync >"$PG_DIR/initdb.log" 2>&1; then
        echo "pg_start: initdb failed:" >&2
        cat "$PG_DIR/initdb.log" >&2
        pg_stop
        return 1
    fi

    {
        echo "# throughline throw-away cluster ($mode)"
        echo "listen_addresses = '127.0.0.1'"
        echo "unix_socket_directories = '$PG_DIR'"
        echo "max_connections = 200"
        if [ "$mode" = test ]; then
            echo "fsync = off"
            echo "synchronous_commit = off"
        fi
    } >>"$PG_DIR/data/postgresql.conf"

    # The free port can be taken between picking and binding; try a few.
    local attempt
    for attempt in 1 2 3; do
        PG_PORT=$(free_port) || break
        if _pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
            -o "-p $PG_PORT" start >"$PG_DIR/pg_ctl.log" 2>&1; then
            PG_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
            export PG_URL
            return 0
        fi
        echo "pg_start: start on port $PG_PORT failed (attempt $attempt)" >&2
    done
    echo "pg_start: PostgreSQL did not start; its log:" >&2
    tail -n 30 "$PG_DIR/server.log" "$PG_DIR/pg_ctl.log" >&2 2>/dev/null || true
    pg_stop
    return 1
}

# Starts a hot standby of the running cluster in $PG_DIR/replica, streaming from it. Its
# configuration is the primary's (copied by pg_basebackup), so it listens on 127.0.0.1 only.
pg_start_replica() {
    if [ -z "$PG_DIR" ] || [ -z "$PG_PORT" ]; then
        echo "pg_start_replica: start the primary first (pg_start)" >&2
        return 1
    fi
    if [ -n "$PG_REPLICA_PORT" ]; then
        echo "pg_start_replica: a replica is already running on port $PG_REPLICA_PORT" >&2
        return 1
    fi
    # -R writes standby.signal and primary_conninfo; -X stream brings the WAL written during
    # the copy; -c fast checkpoints at once instead of waiting for the next one. initdb's
    # pg_hba.conf trusts replication connections from 127.0.0.1.
    if ! _pg_as_owner "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$PG_PORT" -U postgres \
        -D "$PG_DIR/replica" -R -X stream -c fast --no-sync >"$PG_DIR/basebackup.log" 2>&1; then
        echo "pg_start_replica: pg_basebackup failed:" >&2
        cat "$PG_DIR/basebackup.log" >&2
        return 1
    fi
    local attempt
    for attempt in 1 2 3; do
        PG_REPLICA_PORT=$(free_port) || break
        # -w waits until the standby accepts connections, i.e. has replayed to a consistent state.
        if _pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/replica" -l "$PG_DIR/replica.log" -w -t 60 \
            -o "-p $PG_REPLICA_PORT" start >"$PG_DIR/pg_ctl-replica.log" 2>&1; then
            PG_REPLICA_URL="postgres://postgres@127.0.0.1:$PG_REPLICA_PORT/postgres"
            export PG_REPLICA_URL
            return 0
        fi
        echo "pg_start_replica: start on port $PG_REPLICA_PORT failed (attempt $attempt)" >&2
    done
    PG_REPLICA_PORT=""
    echo "pg_start_replica: the replica did not start; its log:" >&2
    tail -n 30 "$PG_DIR/replica.log" "$PG_DIR/pg_ctl-replica.log" >&2 2>/dev/null || true
    return 1
}

# Stops the server whose data folder is $1, at once; by its pid if pg_ctl cannot.
_pg_stop_data() {
    local data=$1 pid
    [ -f "$data/postmaster.pid" ] || return 0
    # Immediate: nothing in a throw-away cluster is worth a clean shutdown.
    if ! _pg_as_owner "$PG_BIN/pg_ctl" -D "$data" -m immediate -w -t 30 stop >/dev/null 2>&1; then
        pid=$(head -n 1 "$data/postmaster.pid" 2>/dev/null || true)
        case $pid in
            '' | *[!0-9]*) ;;
            *) kill -KILL "$pid" 2>/dev/null || true ;;
        esac
    fi
}

pg_stop() {
    [ -n "$PG_DIR" ] || return 0
    local dir=$PG_DIR
    _pg_stop_data "$dir/replica"
    _pg_stop_data "$dir/data"
    rm -rf "$dir"
    PG_DIR=""
    PG_PORT=""
    PG_URL=""
    PG_REPLICA_PORT=""
    PG_REPLICA_URL=""
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    # Only when run directly: a sourced library must not change its caller's options.
    set -euo pipefail
    trap pg_stop EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    pg_start "${1:-test}"
    echo "PostgreSQL ($PG_BIN, ${1:-test} settings) in $PG_DIR"
    echo "TEST_DATABASE_URL=$PG_URL"
    echo "Press Enter or Ctrl-C to stop it and delete its folder."
    read -r _ || true
fi
