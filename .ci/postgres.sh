#!/usr/bin/env bash
# Starts a throw-away PostgreSQL cluster (version 15 when present) for the
# tests, listening on 127.0.0.1 only with trust authentication, and prints its
# DSN as the last line on stdout:
#
#   export TWOSTEP_TEST_POSTGRES=$(bash .ci/postgres.sh | tail -n 1)
#
# With --durable the cluster keeps fsync, synchronous_commit and
# full_page_writes on, as a production server does (for benchmarks; the
# test cluster turns them off for speed). The two kinds are separate
# clusters with their own state files.
#
# Everything else goes to stderr. Running it again reuses the cluster the
# previous run started while that one is still up; otherwise it starts a new
# one, on port 5432 or the next free port. The cluster lives in a temporary
# directory owned by the postgres user; stop it with
#   runuser -u postgres -- pg_ctl -D DIR/data stop
# where DIR is named in the state file below.
set -euo pipefail

durable=
if [ "${1:-}" = "--durable" ]; then durable=1; fi
state=${TMPDIR:-/tmp}/twostep-postgres${durable:+-durable}.state
log() { echo "postgres.sh: $*" >&2; }

find_bin() {
  local d
  for d in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin /usr/local/bin /usr/bin; do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ]; then
      echo "$d"
      return 0
    fi
  done
  return 1
}

install_server() {
  log "no PostgreSQL server found, installing it"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update >&2
  apt-get install -y --no-install-recommends postgresql-15 >&2 ||
    apt-get install -y --no-install-recommends postgresql >&2
}

# as_postgres runs a command as the postgres user (directly if we are it).
as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

port_taken() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

free_port() {
  local p=5432
  while port_taken "$p"; do
    p=$((p + 1))
    if [ "$p" -gt 5532 ]; then
      log "no free port between 5432 and 5532"
      return 1
    fi
  done
  echo "$p"
}

wait_ready() {
  local i
  for i in $(seq 1 60); do
    if "$bin/pg_isready" -q -h 127.0.0.1 -p "$1"; then
      return 0
    fi
    sleep 0.5
  done
  log "server on port $1 did not become ready"
  return 1
}

ensure_db() {
  local exists
  exists=$("$bin/psql" -h 127.0.0.1 -p "$1" -U postgres -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = 'twostep'")
  if [ "$exists" != "1" ]; then
    "$bin/createdb" -h 127.0.0.1 -p "$1" -U postgres twostep >&2
  fi
}

print_dsn() {
  echo "postgres://postgres@127.0.0.1:$1/twostep?sslmode=disable"
}

# reuse prints the DSN of the cluster a previous run started, if it is up.
reuse() {
  [ -f "$state" ] || return 1
  local dir port
  read -r dir port <"$state" || return 1
  [ -n "$dir" ] && [ -n "$port" ] || return 1
  as_postgres "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1 || return 1
  "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" || return 1
  ensure_db "$port"
  log "reusing the cluster in $dir on port $port"
  print_dsn "$port"
}

start_new() {
  local dir port
  if ! id postgres >/dev/null 2>&1; then
    useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
  fi
  dir=$(mktemp -d "${TMPDIR:-/tmp}/twostep-pg.XXXXXX")
  chmod 755 "$dir"
  chown postgres: "$dir"
  port=$(free_port)
  log "starting a cluster in $dir on port $port"
  as_postgres "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --no-sync \
    -E UTF8 --locale=C.UTF-8 >&2 ||
    as_postgres "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --no-sync -E UTF8 --locale=C >&2
  local fast="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  if [ -n "$durable" ]; then fast="-c fsync=on -c synchronous_commit=on -c full_page_writes=on"; fi
  as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir \
-c max_connections=300 $fast" \
    start >&2
  wait_ready "$port"
  ensure_db "$port"
  echo "$dir $port" >"$state"
  print_dsn "$port"
}

bin=$(find_bin) || { install_server && bin=$(find_bin); } || {
  log "could not find or install a PostgreSQL server"
  exit 1
}
reuse || start_new
