#!/usr/bin/env bash
# Regenerates the committed query metadata after a query or a migration changed, as
# `cargo sqlx prepare` would, for both databases:
# * SQLite: applies migrations/sqlite/ to a scratch file and checks desk-store-sqlite's queries against
#   it, writing .sqlx/ at the workspace root.
# * PostgreSQL: starts a throwaway server (scripts/with-postgres.sh), applies
#   migrations/postgres/, and checks desk-store-postgres's queries, writing
#   crates/desk-store-postgres/.sqlx/ (the sqlx macros look in a crate's own .sqlx first).
# Needs the sqlite3 CLI and PostgreSQL (scripts/install-deps.sh --test).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" != "--postgres-only" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  for f in migrations/sqlite/*.sql; do sqlite3 "$tmp/prepare.db" < "$f"; done
  rm -rf .sqlx && mkdir -p .sqlx
  touch crates/desk-store-sqlite/src/lib.rs
  SQLX_OFFLINE=false DATABASE_URL="sqlite:$tmp/prepare.db" SQLX_OFFLINE_DIR="$PWD/.sqlx" \
    cargo check -p desk-store-sqlite --all-targets
  echo "wrote $(ls .sqlx | wc -l) SQLite query files to .sqlx/"
  exec bash scripts/with-postgres.sh bash "$0" --postgres-only
fi

# Inside with-postgres.sh: a fresh database with the migrations applied.
url="${DESK_TEST_POSTGRES_URL%/*}/desk_prepare"
psql -q -v ON_ERROR_STOP=1 "$DESK_TEST_POSTGRES_URL" -c "CREATE DATABASE desk_prepare"
for f in migrations/postgres/*.sql; do psql -q -v ON_ERROR_STOP=1 "$url" -f "$f"; done
out="$PWD/crates/desk-store-postgres/.sqlx"
rm -rf "$out" && mkdir -p "$out"
touch crates/desk-store-postgres/src/lib.rs
SQLX_OFFLINE=false DATABASE_URL="$url" SQLX_OFFLINE_DIR="$out" cargo check -p desk-store-postgres --all-targets
echo "wrote $(ls "$out" | wc -l) PostgreSQL query files to crates/desk-store-postgres/.sqlx/"
