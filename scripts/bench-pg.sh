#!/usr/bin/env bash
# make bench-pg: duban on one PostgreSQL at BENCH_LARGE projects (default 1,000,000), the
# figures docs/SCALE.md cites: generation, the full recomputation of the read model, and
# the dashboard and registry endpoints under 1 and BENCH_CLIENTS clients, with two
# instances behind one database for the last run. Uses the throwaway PostgreSQL of
# scripts/with-postgres.sh (its durability relaxed: the figures are of reads).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${DUBAN_TEST_PG_URL:-}" ]; then exec ./scripts/with-postgres.sh "$0" "$@"; fi
cargo build --release -p duban-cli -p duban-testkit
mkdir -p target/bench
B=./target/release/duban
N=${BENCH_LARGE:-1000000}
AS_OF=2025-10
DB="${DUBAN_TEST_PG_URL%/*}/duban_bench"
psql "$DUBAN_TEST_PG_URL" -qc "DROP DATABASE IF EXISTS duban_bench" -c "CREATE DATABASE duban_bench" >/dev/null
echo "== duban gen: $N projects into PostgreSQL"
/usr/bin/time -f "%e s elapsed, %M KiB peak resident memory" \
  $B --log warn gen --projects "$N" --seed 1 --as-of $AS_OF --db "$DB" 2>target/bench/pg-gen.err | tee target/bench/pg-gen.txt
tail -1 target/bench/pg-gen.err
echo "== full recomputation of lights and rollups: $N projects"
/usr/bin/time -f "%e s elapsed, %M KiB peak resident memory" \
  $B --log error stats --refresh --as-of $AS_OF --db "$DB" 2>target/bench/pg-rebuild.err >/dev/null
cat target/bench/pg-rebuild.err
PW='Under-load-2026!q'
$B --log error user add bench --role leader --unit XJBT --scope all --db "$DB" >/dev/null
P1=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
P2=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
$B --log error serve --listen 127.0.0.1:$P1 --db "$DB" >/dev/null &
S1=$!
$B --log error serve --listen 127.0.0.1:$P2 --db "$DB" >/dev/null &
S2=$!
trap 'kill $S1 $S2 2>/dev/null || true' EXIT
for P in $P1 $P2; do for _ in $(seq 200); do curl -sf http://127.0.0.1:$P/readyz >/dev/null && break; sleep 0.1; done; done
# The bench user signs in once to set its password (the console gave an initial one).
INIT=$($B --log error user passwd bench --db "$DB" | awk '{print $NF}')
curl -s -c target/bench/pg-cookie -H 'Content-Type: application/json' \
  -d "{\"username\":\"bench\",\"password\":\"$INIT\"}" http://127.0.0.1:$P1/api/v1/auth/login -o target/bench/pg-login.json
CSRF=$(python3 -c "import json; print(json.load(open('target/bench/pg-login.json'))['csrf_token'])")
curl -s -b target/bench/pg-cookie -H 'Content-Type: application/json' -H "X-CSRF-Token: $CSRF" \
  -d "{\"old_password\":\"$INIT\",\"new_password\":\"$PW\"}" http://127.0.0.1:$P1/api/v1/auth/password >/dev/null
D1=$(psql "$DB" -Atc "SELECT id FROM units WHERE code = 'D01'")
PATHS=("/api/v1/stats/overview?as_of=$AS_OF" "/api/v1/stats/breakdown?as_of=$AS_OF&by=unit"
  "/api/v1/stats/rankings?as_of=$AS_OF&measure=completion" "/api/v1/stats/overview?as_of=$AS_OF&unit=$D1"
  "/api/v1/stats/dispatch?as_of=$AS_OF&unit=$D1&limit=100" "/api/v1/reports/missing?period=$AS_OF&unit=$D1"
  "/api/v1/projects?page_size=20" "/api/v1/projects?page_size=20&unit=$D1")
for C in 1 "${BENCH_CLIENTS:-16}"; do
  echo "== $C clients on one instance"
  ./target/release/duban-load --addr 127.0.0.1:$P1 --user bench --password "$PW" --concurrency "$C" --seconds "${BENCH_SECONDS:-20}" \
    "${PATHS[@]}" | tee target/bench/pg-load-c$C.txt
done
echo "== ${BENCH_CLIENTS:-16} clients on each of two instances at once"
./target/release/duban-load --addr 127.0.0.1:$P1 --user bench --password "$PW" --concurrency "${BENCH_CLIENTS:-16}" --seconds "${BENCH_SECONDS:-20}" "${PATHS[@]}" > target/bench/pg-load-a.txt &
L1=$!
./target/release/duban-load --addr 127.0.0.1:$P2 --user bench --password "$PW" --concurrency "${BENCH_CLIENTS:-16}" --seconds "${BENCH_SECONDS:-20}" "${PATHS[@]}" > target/bench/pg-load-b.txt
wait $L1
tail -n 12 target/bench/pg-load-a.txt target/bench/pg-load-b.txt
psql "$DB" -Atc "SELECT pg_size_pretty(pg_database_size(current_database()))" | sed 's/^/database size: /'
