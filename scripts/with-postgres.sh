#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL 15 cluster: a dedicated OS user, a temp
# data directory, 127.0.0.1 and a free port. DATABASE_URL points the command at it; the
# cluster is stopped and removed afterwards, whatever the command's outcome.
set -euo pipefail

find_bin() {
  for dir in /usr/local/bin /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
    [ -x "$dir/initdb" ] && { echo "$dir"; return; }
  done
}
PGBIN=$(find_bin || true)
if [ -z "$PGBIN" ]; then
  [ "$(id -u)" -eq 0 ] || { echo "PostgreSQL server binaries not found; install postgresql" >&2; exit 1; }
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql postgresql-contrib >/dev/null
  PGBIN=$(find_bin)
fi

PGUSER_OS=postgres
if ! id "$PGUSER_OS" >/dev/null 2>&1; then
  PGUSER_OS=samphan-pg
  id "$PGUSER_OS" >/dev/null 2>&1 || useradd --system --no-create-home "$PGUSER_OS"
fi
as_pg() { if [ "$(id -un)" = "$PGUSER_OS" ]; then "$@"; else runuser -u "$PGUSER_OS" -- "$@"; fi; }

TMP=$(mktemp -d /tmp/samphan-pg.XXXXXX)
chown "$PGUSER_OS" "$TMP"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

cleanup() {
  as_pg "$PGBIN/pg_ctl" -D "$TMP/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$TMP"
}
trap cleanup EXIT

as_pg "$PGBIN/initdb" -D "$TMP/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$TMP/data" -l "$TMP/server.log" -w start \
  -o "-h 127.0.0.1 -p $PORT -k $TMP -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >/dev/null
echo "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT"

# The maintenance database "postgres" always exists; tests create their own test_ copy.
export DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/postgres"
"$@"
