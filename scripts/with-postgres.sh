#!/usr/bin/env bash
# Runs a command beside a private, throwaway PostgreSQL server: a new cluster (initdb) in a
# temporary folder, listening on loopback on a free port, owned by an unprivileged user (the
# server refuses to run as root). The command gets its address in DESK_TEST_POSTGRES_URL (a
# superuser on the `postgres` database: tests create a fresh database each). The server and
# its folder are gone when the command ends. PostgreSQL itself comes from Debian's packages
# (scripts/install-deps.sh --test).
#
# Durability is left at PostgreSQL's defaults (fsync, synchronous_commit on), as in production:
# the crash tests kill processes beside a server that must keep what it acknowledged.
set -euo pipefail

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
[ -x "$bin/initdb" ] || { echo "PostgreSQL is not installed (run scripts/install-deps.sh --test)" >&2; exit 1; }

tmp=$(mktemp -d /tmp/desk-pg.XXXXXX)
as_owner=()
if [ "$(id -u)" = 0 ]; then
  id -u postgres >/dev/null 2>&1 || { echo "the 'postgres' system user is missing" >&2; exit 1; }
  chown postgres: "$tmp"
  as_owner=(runuser -u postgres --)
fi
cleanup() {
  "${as_owner[@]}" "$bin/pg_ctl" -D "$tmp/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"${as_owner[@]}" "$bin/initdb" -D "$tmp/data" -U desk -A trust -E UTF8 --locale=C.UTF-8 >"$tmp/initdb.log" 2>&1 \
  || { cat "$tmp/initdb.log" >&2; echo "initdb failed" >&2; exit 1; }
"${as_owner[@]}" "$bin/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $tmp -c max_connections=200" start >/dev/null \
  || { cat "$tmp/server.log" >&2; echo "PostgreSQL did not start" >&2; exit 1; }

# For the crash tests that stop PostgreSQL itself: `$DESK_TEST_POSTGRES_CTL stop` (immediate:
# no checkpoint, as a power cut) and `$DESK_TEST_POSTGRES_CTL start` (same port, crash recovery).
cat >"$tmp/pgctl" <<CTL
#!/usr/bin/env bash
set -euo pipefail
case "\${1:-}" in
  stop) ${as_owner[*]} "$bin/pg_ctl" -D "$tmp/data" -m immediate -w stop >/dev/null ;;
  start) ${as_owner[*]} "$bin/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w -t 60 -o "-c listen_addresses=127.0.0.1 -p $port -k $tmp -c max_connections=200" start >/dev/null ;;
  *) echo "usage: pgctl stop|start" >&2; exit 2 ;;
esac
CTL
chmod 755 "$tmp/pgctl"
export DESK_TEST_POSTGRES_CTL="$tmp/pgctl"
export DESK_TEST_POSTGRES_URL="postgres://desk@127.0.0.1:$port/postgres"
echo "[with-postgres] PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
set +e
"$@"
rc=$?
set -e
exit "$rc"
