#!/usr/bin/env bash
# THE run command: installs what is missing, builds the app and opens it on its embedded default
# (SQLite in the user's data directory, the demo bot source). Arguments go to the app, e.g.
# `scripts/run.sh import FILE.jsonl`.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}"
export PATH="$HOME/.cargo/bin:$PATH"
bash scripts/install-deps.sh
(cd ui && npm run build)
cargo build -p handoff-desk --features custom-protocol
exec target/debug/handoff-desk "$@"
