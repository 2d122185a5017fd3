#!/usr/bin/env bash
# test_cluster.sh start|stop DIR: the security tests' own PostgreSQL 15 cluster in DIR.
#
# The password matrix and the locale tests need a server that checks passwords (scram-sha-256 on
# TCP and on the socket, whatever the workbook's own cluster does), one whose language they may
# switch (ALTER SYSTEM SET lc_messages) without disturbing other tests, and a role that pg_hba.conf
# rejects (SQLSTATE 28000). It listens on 127.0.0.1 on a free port (written to DIR/port) and on a
# socket in DIR/sock; the superuser postgres has the random password in DIR/password. The German
# locale is generated first (ensure_locale.sh). PostgreSQL refuses to run as root: as root the
# server runs as the postgres user, like ./workbook's.
set -euo pipefail

command=${1:?usage: test_cluster.sh start|stop DIR}
dir=$(realpath -m -- "${2:?usage: test_cluster.sh start|stop DIR}")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
pg_bin=/usr/lib/postgresql/15/bin
data="$dir/data"

fail() {
  printf 'test_cluster.sh: %s\n' "$*" >&2
  exit 1
}

as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

running() { as_owner "$pg_bin/pg_ctl" -D "$data" status >/dev/null 2>&1; }

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

create() {
  [[ -x "$pg_bin/initdb" ]] || fail "PostgreSQL 15 is not installed ($pg_bin/initdb): run ./workbook setup"
  [[ $(basename "$dir") == security_cluster ]] || fail "refusing to replace $dir (not a security_cluster folder)"
  rm -rf "$dir"
  mkdir -p "$dir/sock"
  chmod 700 "$dir"
  local password
  password=$(head -c 300 /dev/urandom | LC_ALL=C tr -dc 'A-Za-z0-9')
  printf '%s' "${password:0:24}" >"$dir/password"
  if [[ $(id -u) -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || fail "no 'postgres' user to run the server as (install postgresql-15)"
    chown -R postgres: "$dir"
    runuser -u postgres -- test -x "$dir" 2>/dev/null ||
      fail "the postgres user cannot reach $dir (a parent folder is private)"
  fi
  as_owner "$pg_bin/initdb" -D "$data" -U postgres --pwfile="$dir/password" \
    --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 ||
    fail "initdb failed; see $dir/initdb.log"
  cat >>"$data/postgresql.conf" <<EOF

# --- hello_books security tests: a disposable cluster ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir/sock'
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 16MB
max_connections = 100
logging_collector = off
EOF
  # A role that may never log in, for the 28000 tests; everyone else with a password.
  cat >"$data/pg_hba.conf" <<EOF
local all hb_rejected reject
host  all hb_rejected 127.0.0.1/32 reject
local all all scram-sha-256
host  all all 127.0.0.1/32 scram-sha-256
EOF
}

start() {
  "$here/ensure_locale.sh" de_DE.UTF-8
  [[ -f "$data/PG_VERSION" && -s "$dir/password" ]] || create
  if running; then
    as_owner "$pg_bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null ||
      fail "a server from an earlier run does not stop; see $dir/server.log"
  fi
  # A free port: the workbook's default range is 55432+, start well above it.
  local port attempt
  port=$((56000 + $$ % 2000))
  for attempt in $(seq 30); do
    port=$((port + 1))
    port_in_use "$port" && continue
    if as_owner "$pg_bin/pg_ctl" -D "$data" -l "$dir/server.log" -o "-p $port" -w -t 60 start >/dev/null; then
      printf '%s\n' "$port" >"$dir/port"
      return 0
    fi
  done
  fail "the security tests' PostgreSQL did not start; see $dir/server.log"
}

stop() {
  if [[ -f "$data/PG_VERSION" ]] && running; then
    as_owner "$pg_bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null ||
      fail "the security tests' PostgreSQL did not stop; see $dir/server.log"
  fi
}

case "$command" in
  start) start ;;
  stop) stop ;;
  *) fail "unknown command '$command': use start or stop" ;;
esac
