#!/usr/bin/env bash
# THE test command: installs what is missing, then runs every test: the Rust core and shell
# (unit, store, validation, bindings drift), the store suite on SQLite and on a real PostgreSQL
# server it starts (scripts/with-postgres.sh), the UI (Vitest), and the end-to-end tests that drive
# the real app window under Xvfb through tauri-driver + WebKitWebDriver.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}" CARGO_TERM_COLOR=never
export PATH="$HOME/.cargo/bin:$PATH"
start=$(date +%s)
step() { echo; echo "== $* ($(( $(date +%s) - start ))s)"; }

step "install dependencies"
bash scripts/install-deps.sh --test

step "UI: unit tests (Vitest)"
(cd ui && npm test)

step "UI: type-check and build ui/dist"
(cd ui && npm run build)

step "build the app (debug, serving ui/dist) and the team server the end-to-end tests start"
cargo build -p handoff-desk -p desk-server --features handoff-desk/custom-protocol

step "Rust tests: core, both stores (SQLite and a real PostgreSQL server), shell, bindings drift, and the real window (Xvfb + tauri-driver)"
bash scripts/with-display.sh bash scripts/with-postgres.sh \
  cargo test --workspace --features handoff-desk/custom-protocol --no-fail-fast -- --test-threads=1

step "all tests passed in $(( $(date +%s) - start ))s"
