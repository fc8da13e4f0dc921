#!/usr/bin/env bash
# make bench: timed runs of the release binary. Figures go to stdout and target/bench/.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x /usr/bin/time ] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null; }
cargo build --release -p duban-cli
mkdir -p target/bench
N=${BENCH_PROJECTS:-100000}
DB=target/bench/gen-$N.sqlite
rm -f "$DB" "$DB-wal" "$DB-shm"
echo "== duban gen: $N projects into SQLite"
/usr/bin/time -f "%e s elapsed, %M KiB peak resident memory" \
  ./target/release/duban --log warn gen --projects "$N" --seed 1 --as-of 2025-12 --db "sqlite://$DB" 2>target/bench/gen-$N.err | tee target/bench/gen-$N.txt
tail -1 target/bench/gen-$N.err
ls -l "$DB" | awk '{printf "database file: %.0f MiB\n", $5/1048576}'
