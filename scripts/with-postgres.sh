#!/usr/bin/env bash
# Run a command beside a throwaway PostgreSQL: installed from Debian's packages when
# absent, initialised in a temporary directory, listening on a free loopback port,
# stopped and deleted afterwards. The command sees DUBAN_TEST_PG_URL.
set -euo pipefail

find_bin() { for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && { echo "$d"; return 0; }; done; return 1; }

BIN=$(find_bin) || {
  echo "PostgreSQL server not found: installing Debian's postgresql package" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  BIN=$(find_bin)
}

DIR=$(mktemp -d /tmp/duban-pg.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
AS=()
if [ "$(id -u)" = 0 ]; then
  chown postgres "$DIR"
  AS=(runuser -u postgres --)
fi
stop() {
  "${AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap stop EXIT

"${AS[@]}" "$BIN/initdb" -D "$DIR/data" -U duban --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
# Durability settings are relaxed only for this throwaway test server.
"${AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w start \
  -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >/dev/null
echo "PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT ($DIR)" >&2

export DUBAN_TEST_PG_URL="postgres://duban@127.0.0.1:$PORT/postgres"
"$@"
