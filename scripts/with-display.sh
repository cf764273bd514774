#!/usr/bin/env bash
# Runs a command with a private X display (Xvfb) and D-Bus session, as the real window needs,
# and with XDG folders in a temporary place so nothing touches the user's real data.
set -euo pipefail
tmp=$(mktemp -d)
cleanup() { [ -n "${xvfb_pid:-}" ] && kill "$xvfb_pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

display=""
# A display is taken while its lock names a live process; Xvfb itself clears a stale lock and
# socket (left by a server that was killed).
for n in $(seq 90 130); do
  lock="/tmp/.X$n-lock"
  if [ -e "$lock" ] && kill -0 "$(tr -d ' ' <"$lock" 2>/dev/null)" 2>/dev/null; then continue; fi
  display=":$n"
  break
done
[ -n "$display" ] || { echo "no free X display number" >&2; exit 1; }
Xvfb "$display" -screen 0 1440x900x24 -nolisten tcp >"$tmp/xvfb.log" 2>&1 &
xvfb_pid=$!
for _ in $(seq 1 100); do
  DISPLAY=$display xdpyinfo >/dev/null 2>&1 && break
  kill -0 "$xvfb_pid" 2>/dev/null || { cat "$tmp/xvfb.log" >&2; echo "Xvfb failed to start" >&2; exit 1; }
  sleep 0.1
done
DISPLAY=$display xdpyinfo >/dev/null 2>&1 || { echo "Xvfb did not come up on $display" >&2; exit 1; }

mkdir -p "$tmp/runtime" "$tmp/data" && chmod 700 "$tmp/runtime"
export DISPLAY=$display NO_AT_BRIDGE=1 XDG_RUNTIME_DIR="$tmp/runtime" XDG_DATA_HOME="$tmp/data"
# A private D-Bus session with an unlocked Secret Service keyring (gnome-keyring), so the app's
# secrets go through a real OS keyring in tests too.
# Not `exec`: this shell stays to stop Xvfb when the command ends (an exec'd shell runs no trap).
set +e
dbus-run-session -- sh -c 'printf "%s" "test-keyring-password" | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; exec "$@"' sh "$@"
exit $?
