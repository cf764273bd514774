#!/usr/bin/env bash
# THE server command: starts desk-server, the team's one authority, on this machine.
# Installs what is missing (PostgreSQL from Debian's packages), creates a private PostgreSQL
# cluster under $DESK_SERVER_HOME (default ~/.local/share/handoff-desk-server) that listens only
# on a Unix socket in that folder (no TCP port), creates and migrates the database, builds and
# starts the server, and prints its URL and, on first start, a one-time code for the first admin.
# Stop it with Ctrl-C; PostgreSQL keeps running in the background (`scripts/server.sh stop` ends it).
#
# Settings (environment): DESK_SERVER_ADDR (default 127.0.0.1:8787), DESK_SERVER_BACKEND_URL (the
# orders/billing backend; without it the demo backend), DESK_SERVER_PLATFORMS_FILE (bot platforms
# allowed to push escalations). See README, "Team server".
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}"
export PATH="$HOME/.cargo/bin:$PATH"

home="${DESK_SERVER_HOME:-$HOME/.local/share/handoff-desk-server}"
pg="$home/pg"
run="$home/run"
port=5433

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
as_owner=()
if [ "$(id -u)" = 0 ]; then as_owner=(runuser -u postgres --); fi
pgctl() { "${as_owner[@]}" "$bin/pg_ctl" -D "$pg" "$@"; }

if [ "${1:-}" = "stop" ]; then
  [ -x "$bin/pg_ctl" ] && pgctl -m fast stop || true
  exit 0
fi

bash scripts/install-deps.sh --server
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)

mkdir -p "$home"
chmod 711 "$home"
if [ ! -f "$pg/PG_VERSION" ]; then
  echo "[server] creating the PostgreSQL cluster in $pg"
  mkdir -p "$pg" "$run"
  if [ "$(id -u)" = 0 ]; then chown postgres: "$pg" "$run"; fi
  chmod 700 "$pg" "$run"
  # Only local connections exist (a socket in a folder only this account can open).
  "${as_owner[@]}" "$bin/initdb" -D "$pg" -U desk -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
fi
if ! pgctl status >/dev/null 2>&1; then
  pgctl -l "$pg/server.log" -w -t 60 -o "-c listen_addresses='' -k $run -p $port" start >/dev/null
fi
psql=("$bin/psql" -h "$run" -p "$port" -U desk -v ON_ERROR_STOP=1 -qtA)
if [ "$("${psql[@]}" -d postgres -c "SELECT 1 FROM pg_database WHERE datname = 'handoff_desk'")" != 1 ]; then
  "${psql[@]}" -d postgres -c "CREATE DATABASE handoff_desk"
fi
url_file="$home/database-url"
umask 077
echo "postgres://desk@localhost:$port/handoff_desk?host=$run" > "$url_file"

cargo build --release -p desk-server
export DESK_SERVER_DATABASE_URL_FILE="$url_file" DESK_SERVER_DATA_DIR="$home"
exec target/release/desk-server
