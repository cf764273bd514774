#!/usr/bin/env bash
# Installs everything Handoff Desk needs to build, run and test on Debian 12.
# Idempotent: skips what is already there. Used by scripts/run.sh and scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

BUILD_PKGS="build-essential pkg-config curl file libwebkit2gtk-4.1-dev libssl-dev libdbus-1-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev"
RUN_PKGS="xvfb xauth x11-utils xdotool imagemagick webkit2gtk-driver dbus-x11 gnome-keyring libsecret-tools keyutils fonts-dejavu-core sqlite3"
# The tests also run every store against a real PostgreSQL server (scripts/with-postgres.sh).
TEST_PKGS="postgresql"
# The team server (scripts/server.sh) needs only a compiler and PostgreSQL, no webview.
SERVER_PKGS="build-essential pkg-config curl libssl-dev postgresql"
PKGS="$BUILD_PKGS $RUN_PKGS"
if [ "${1:-}" = "--test" ]; then PKGS="$PKGS $TEST_PKGS"; fi
if [ "${1:-}" = "--server" ]; then PKGS="$SERVER_PKGS"; fi

missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "[install] apt packages:$missing"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "[install] cargo is required (install Rust with rustup)" >&2
  exit 1
fi
if [ "${1:-}" = "--server" ]; then exit 0; fi
if ! command -v node >/dev/null 2>&1; then
  echo "[install] apt nodejs npm"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends nodejs npm
fi

if [ "${1:-}" = "--test" ] && ! command -v tauri-driver >/dev/null 2>&1; then
  echo "[install] cargo install tauri-driver"
  cargo install tauri-driver --locked --version 2.1.0 || cargo install tauri-driver --locked
fi

if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  echo "[install] npm ci (ui)"
  (cd ui && npm ci --no-audit --no-fund)
fi
