#!/usr/bin/env bash
# Regenerates the committed query metadata in .sqlx/ after a query or a migration changed:
# applies migrations/sqlite/ to a scratch SQLite file, then lets the sqlx macros check every query
# against it and write their metadata (SQLX_OFFLINE_DIR), as `cargo sqlx prepare` would.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for f in migrations/sqlite/*.sql; do sqlite3 "$tmp/prepare.db" < "$f"; done
rm -rf .sqlx && mkdir -p .sqlx
touch crates/desk-core/src/lib.rs
SQLX_OFFLINE=false DATABASE_URL="sqlite:$tmp/prepare.db" SQLX_OFFLINE_DIR="$PWD/.sqlx" \
  cargo check -p desk-core --all-targets
echo "wrote $(ls .sqlx | wc -l) query files to .sqlx/"
