#!/usr/bin/env bash
# make bench: timed runs of the release binaries. Figures go to stdout and target/bench/.
#   1. `duban gen` at BENCH_PROJECTS (default 100,000) and BENCH_LARGE (default 1,000,000);
#   2. the full recomputation of the analytics (lights and rollups) at both sizes, beside
#      DuckDB (from PyPI, with its sqlite extension) computing the same outputs from the
#      same file, every row checked against duban's;
#   3. dashboard endpoint latency at BENCH_LARGE on SQLite under concurrent load from
#      `duban-load` on loopback;
#      (dashboards and registry pages), and the registry's CSV export;
#   4. duban's dashboard answer beside DuckDB computing the figures from scratch;
#   5. the import of a BENCH_PROJECTS-row progress sheet (dry run, commit, re-import) with
#      calamine's raw read of the same file beside it, and the registry's exports (CSV,
#      Excel, OC4IDS) at BENCH_LARGE;
#   6. writes at BENCH_PROJECTS: report submissions and approvals over HTTP, beside raw
#      single-row SQLite transactions with the same durability;
#   7. the monthly bulletin at BENCH_LARGE (time, peak memory, stored snapshot);
#   8. the routine at BENCH_PROJECTS: each daily job on the days of December 2025 that send
#      the most, and the outbox delivered to a 企业微信 robot per unit on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x /usr/bin/time ] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null; }
cargo build --release -p duban-cli -p duban-testkit
mkdir -p target/bench
B=./target/release/duban
AS_OF=2025-10

# A server's first start on a new database rewrites the registry standing for its month
# and runs the routine's jobs of the day; what is timed is a server that has settled (its
# CPU idle for 2 s). Says how long that took.
settle() {
  local pid=$1 t0 prev=0 now
  t0=$(date +%s)
  for _ in $(seq 300); do
    sleep 2; now=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    [ "$prev" -gt 0 ] && [ $((now - prev)) -lt 10 ] && break; prev=$now
  done
  echo "the server settled $(( $(date +%s) - t0 )) s after it started (first-start catch-up)"
}

# DuckDB and its sqlite extension, pinned (the extension is built for one DuckDB release).
[ -x target/bench/venv/bin/python ] || python3 -m venv target/bench/venv
target/bench/venv/bin/python -c 'import duckdb, duckdb_ext' 2>/dev/null \
  || target/bench/venv/bin/pip install --quiet duckdb==1.4.4 duckdb-ext-sqlite==1.4.4.20260205

gen() {
  local n=$1 db=target/bench/gen-$1.sqlite
  rm -f "$db" "$db-wal" "$db-shm"
  echo "== duban gen: $n projects into SQLite (as of $AS_OF)"
  /usr/bin/time -f "%e s elapsed, %M KiB peak resident memory" \
    $B --log warn gen --projects "$n" --seed 1 --as-of $AS_OF --db "sqlite://$db" 2>target/bench/gen-$n.err | tee target/bench/gen-$n.txt
  tail -1 target/bench/gen-$n.err
  ls -l "$db" | awk '{printf "database file: %.0f MiB\n", $5/1048576}'
  echo "== full recomputation of lights and rollups: $n projects"
  /usr/bin/time -f "%e s elapsed, %M KiB peak resident memory" \
    $B --log error stats --refresh --as-of $AS_OF --db "sqlite://$db" 2>target/bench/rebuild-$n.err >/dev/null
  cat target/bench/rebuild-$n.err
  echo "== DuckDB computing the same outputs from the same file: $n projects"
  /usr/bin/time -f "%e s elapsed, %M KiB peak resident memory (DuckDB)" \
    target/bench/venv/bin/python scripts/duckdb_rebuild.py "$db" "${AS_OF%-*}" \
    "$(grep -o 'in [0-9.]* s' target/bench/rebuild-$n.err | head -1 | awk '{print $2}')" 2>&1 | tee target/bench/duckdb-$n.txt
}

gen "${BENCH_PROJECTS:-100000}"

echo "== import of a ${BENCH_PROJECTS:-100000}-row progress sheet (dry run, commit, re-import), beside the raw calamine read"
# Three runs, each on a fresh copy of the database (a commit is measured once per copy);
# the best of each phase is set beside the best floor. A WAL left by an earlier run must
# not be replayed onto the new copy, and the copy is on disk before the clock starts.
: > target/bench/import-${BENCH_PROJECTS:-100000}.txt
for run in 1 2 3; do
  rm -f target/bench/import.sqlite target/bench/import.sqlite-wal target/bench/import.sqlite-shm
  cp "target/bench/gen-${BENCH_PROJECTS:-100000}.sqlite" target/bench/import.sqlite
  [ -f "target/bench/gen-${BENCH_PROJECTS:-100000}.sqlite-wal" ] && cp "target/bench/gen-${BENCH_PROJECTS:-100000}.sqlite-wal" target/bench/import.sqlite-wal
  sync
  echo "-- run $run" | tee -a target/bench/import-${BENCH_PROJECTS:-100000}.txt
  /usr/bin/time -f "%e s elapsed, %M KiB peak resident memory" \
    ./target/release/duban-import-bench --db sqlite://target/bench/import.sqlite --rows "${BENCH_PROJECTS:-100000}" \
    --period 2025-11 --out target/bench/progress.xlsx 2>&1 | tee -a target/bench/import-${BENCH_PROJECTS:-100000}.txt
done
python3 scripts/import_best.py target/bench/import-${BENCH_PROJECTS:-100000}.txt

LARGE=${BENCH_LARGE:-1000000}
echo "== the routine at ${BENCH_PROJECTS:-100000} projects: the daily jobs, and the outbox to a robot per unit"
cp "target/bench/gen-${BENCH_PROJECTS:-100000}.sqlite" target/bench/routine.sqlite
rm -f target/bench/routine.sqlite-wal target/bench/routine.sqlite-shm
[ -f "target/bench/gen-${BENCH_PROJECTS:-100000}.sqlite-wal" ] && cp "target/bench/gen-${BENCH_PROJECTS:-100000}.sqlite-wal" target/bench/routine.sqlite-wal
./target/release/duban-remind-bench --db sqlite://target/bench/routine.sqlite | tee target/bench/routine-${BENCH_PROJECTS:-100000}.txt

echo "== writes at ${BENCH_PROJECTS:-100000} projects: report submissions and approvals over HTTP by ${BENCH_WRITERS:-8} clients, beside raw SQLite transactions"
W=target/bench/write.sqlite
cp "target/bench/gen-${BENCH_PROJECTS:-100000}.sqlite" $W
rm -f $W-wal $W-shm
[ -f "target/bench/gen-${BENCH_PROJECTS:-100000}.sqlite-wal" ] && cp "target/bench/gen-${BENCH_PROJECTS:-100000}.sqlite-wal" $W-wal
CLERK_PW=$($B --log warn user add wclerk --role reporter --unit XJBT --scope all --db "sqlite://$W" | sed 's/.*: //')
APPROVER_PW=$($B --log warn user add wapprover --role approver --unit XJBT --scope all --db "sqlite://$W" | sed 's/.*: //')
IDS=$(python3 -c "import sqlite3; print(' '.join(str(r[0]) for r in sqlite3.connect('$W').execute('SELECT id FROM projects WHERE archived = 0 ORDER BY id LIMIT ${BENCH_WRITES:-2000}')))")
WPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
$B --log error serve --listen 127.0.0.1:$WPORT --db "sqlite://$W" >/dev/null &
WSERVER=$!
trap 'kill $WSERVER 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf http://127.0.0.1:$WPORT/healthz >/dev/null && break; sleep 0.1; done
settle $WSERVER
./target/release/duban-write-bench --addr 127.0.0.1:$WPORT --clerk wclerk --clerk-password "$CLERK_PW" \
  --approver wapprover --approver-password "$APPROVER_PW" --period 2025-11 --concurrency "${BENCH_WRITERS:-8}" \
  --raw-db target/bench/raw-writes.sqlite $IDS | tee target/bench/writes-${BENCH_PROJECTS:-100000}.txt
kill $WSERVER; trap - EXIT
rm -f $W $W-wal $W-shm

gen "$LARGE"
DB=target/bench/gen-$LARGE.sqlite

echo "== the monthly bulletin at $LARGE projects: generated, stored and written out (.docx, .xlsx annex, HTML, text, snapshot)"
cp "$DB" target/bench/bulletin.sqlite
rm -f target/bench/bulletin.sqlite-wal target/bench/bulletin.sqlite-shm
[ -f "$DB-wal" ] && cp "$DB-wal" target/bench/bulletin.sqlite-wal
/usr/bin/time -f "%e s elapsed, %M KiB peak resident memory" \
  $B --log error bulletin --period $AS_OF --out target/bench/bulletin --db sqlite://target/bench/bulletin.sqlite 2>&1 \
  | grep -v '^wrote' | tee target/bench/bulletin-$LARGE.txt
python3 -c "import sqlite3; print('stored snapshot: %.1f MB' % (sqlite3.connect('target/bench/bulletin.sqlite').execute('SELECT MAX(LENGTH(snapshot)) FROM bulletins').fetchone()[0] / 1e6))" \
  | tee -a target/bench/bulletin-$LARGE.txt
rm -f target/bench/bulletin.sqlite target/bench/bulletin.sqlite-wal target/bench/bulletin.sqlite-shm

echo "== dashboard latency at $LARGE projects, SQLite, concurrent load on loopback"
PW=$($B --log warn user add bench --role leader --unit XJBT --scope all --db "sqlite://$DB" | sed 's/.*: //')
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
$B --log error serve --listen 127.0.0.1:$PORT --db "sqlite://$DB" >/dev/null &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf http://127.0.0.1:$PORT/healthz >/dev/null && break; sleep 0.1; done
settle $SERVER
D1=$(python3 -c "import sqlite3; print(sqlite3.connect('$DB').execute(\"SELECT id FROM units WHERE code = 'D01'\").fetchone()[0])")
PATHS=("/api/v1/stats/overview?as_of=$AS_OF" "/api/v1/stats/breakdown?as_of=$AS_OF&by=unit"
  "/api/v1/stats/breakdown?as_of=$AS_OF&by=chain" "/api/v1/stats/curve?year=2025"
  "/api/v1/stats/rankings?as_of=$AS_OF&measure=completion" "/api/v1/stats/overview?as_of=$AS_OF&unit=$D1"
  "/api/v1/stats/dispatch?as_of=$AS_OF&unit=$D1&limit=100" "/api/v1/stats/dispatch?as_of=$AS_OF&unit=$D1&reason=light&limit=100"
  "/api/v1/reports/missing?period=$AS_OF&unit=$D1&list=0" "/api/v1/reports/missing/projects?period=$AS_OF&unit=$D1&page_size=50"
  "/api/v1/projects?page_size=20" "/api/v1/projects?page_size=20&page=25000"
  "/api/v1/projects?page_size=20&status=preliminary&sort=name" "/api/v1/projects?page_size=20&unit=$D1")
echo "-- the six dashboard endpoints alone (the goal: p99 under 25 ms, none over 100 ms at 16 clients)"
./target/release/duban-load --addr 127.0.0.1:$PORT --user bench --password "$PW" --concurrency "${BENCH_CLIENTS:-16}" \
  --seconds "${BENCH_SECONDS:-20}" "${PATHS[@]:0:6}" | tee target/bench/load-$LARGE-dashboards.txt
echo "-- every path together: the dashboards beside the dispatch, missing-report and registry lists"
for C in 1 "${BENCH_CLIENTS:-16}"; do
  ./target/release/duban-load --addr 127.0.0.1:$PORT --user bench --password "$PW" --concurrency "$C" --seconds "${BENCH_SECONDS:-20}" \
    "${PATHS[@]}" | tee target/bench/load-$LARGE-c$C.txt
done
echo "== the registry's CSV export at $LARGE projects (whole registry, and one division)"
curl -s -c target/bench/cookie -H 'Content-Type: application/json' \
  -d '{"username":"bench","password":"Under-load-2026!q"}' http://127.0.0.1:$PORT/api/v1/auth/login >/dev/null
for Q in "" "?unit=$D1"; do
  curl -s -b target/bench/cookie -o target/bench/export.csv -w "export$Q: %{time_total} s, %{size_download} bytes, " \
    "http://127.0.0.1:$PORT/api/v1/projects/export.csv$Q"
  echo "$(($(wc -l < target/bench/export.csv) - 1)) rows"
done | tee target/bench/export-$LARGE.txt
echo "== the registry at $LARGE projects as Excel (constant memory) and as an OC4IDS package"
for P in "/api/v1/export/projects" "/api/v1/export/oc4ids"; do
  /usr/bin/time -f "%e s" curl -s -b target/bench/cookie -o target/bench/export.out -w "$P: %{time_total} s, %{size_download} bytes\n" \
    "http://127.0.0.1:$PORT$P" 2>/dev/null
  ps -o rss= -p $SERVER | awk '{printf "server RSS after: %.0f MiB\n", $1/1024}'
done | tee -a target/bench/export-$LARGE.txt
kill $SERVER; trap - EXIT

echo "== duban's dashboard answer beside DuckDB computing the figures from scratch, $LARGE projects"
# The by-unit breakdown's median with one client, against DuckDB reading and computing
# the year's figures from the same file (step 2).
QUERY_MS=$(grep 'by=unit' target/bench/load-$LARGE-c1.txt | awk '{print $3}')
DUCK_S=$(grep -o 'lights under the rules in force) in [0-9.]* s' target/bench/duckdb-$LARGE.txt | awk '{print $(NF-1)}')
python3 -c "q, d = float('$QUERY_MS'), float('$DUCK_S'); print(f'duban {q:.1f} ms over HTTP from the kept totals; DuckDB {d:.1f} s from the file; DuckDB / duban = {d * 1000 / q:,.0f}x')"
