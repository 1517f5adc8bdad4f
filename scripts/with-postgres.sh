#!/usr/bin/env bash
# Runs a command with DATABASE_URL pointing at PostgreSQL: the server on localhost when it answers,
# otherwise a throwaway cluster made with initdb (removed afterwards).
set -euo pipefail
URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/jcportal}
if command -v pg_isready >/dev/null && pg_isready -h 127.0.0.1 -p 5432 -q; then
  DATABASE_URL="$URL" exec "$@"
fi
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$BIN" ]; then echo "PostgreSQL is neither running nor installed" >&2; exit 1; fi
DIR=$(mktemp -d)
PORT=55432
RUNAS=""
if [ "$(id -u)" -eq 0 ]; then chown -R postgres "$DIR"; RUNAS="runuser -u postgres --"; fi
$RUNAS "$BIN/initdb" -D "$DIR/data" -U postgres -A trust >/dev/null
$RUNAS "$BIN/pg_ctl" -D "$DIR/data" -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1" -l "$DIR/log" -w start >/dev/null
trap '$RUNAS "$BIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null; rm -rf "$DIR"' EXIT
DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/jcportal" "$@"
