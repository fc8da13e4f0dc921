"""The same rollup by DuckDB, for `make bench`: per unit, at an as-of month, the number
of planned projects, annual plan, plan to date and actual year to date (carried forward
from the latest approved report of a month up to as-of, newest revision). The data are
exported from duban's SQLite file to CSV, loaded into DuckDB, and the query is timed.
The result is checked against duban's own totals (unit_totals, dimension 'all').

usage: python duckdb_compare.py DB.sqlite YEAR MONTH OUR_REBUILD_SECONDS [OUR_QUERY_MS]
"""
import csv, os, sqlite3, sys, tempfile, time

import duckdb

db, year, month, ours = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
query_ms = float(sys.argv[5]) if len(sys.argv) > 5 else None
src = sqlite3.connect(db)
tmp = tempfile.mkdtemp(prefix="duban-duckdb-")
exports = {
    "projects": "SELECT id, unit_id FROM projects WHERE archived = 0",
    "plans": f"SELECT project_id, planned, m{month:02} AS to_date FROM annual_plans WHERE year = {year} AND archived = 0",
    "reports": f"SELECT project_id, month, revision, invest_ytd FROM reports WHERE year = {year} AND state = 'approved'",
}
t = time.time()
rows = 0
for name, q in exports.items():
    cur = src.execute(q)
    with open(os.path.join(tmp, name + ".csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow([d[0] for d in cur.description])
        for r in cur:
            w.writerow(r)
            rows += 1
print(f"exported {rows:,} rows to CSV in {time.time() - t:.1f} s")

con = duckdb.connect()
t = time.time()
for name in exports:
    con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_csv_auto('{os.path.join(tmp, name + '.csv')}')")
print(f"loaded into DuckDB in {time.time() - t:.1f} s")

query = f"""
WITH latest AS (
    SELECT project_id, arg_max(invest_ytd, month * 100000 + revision) AS ytd
    FROM reports WHERE month <= {month} GROUP BY project_id
)
SELECT p.unit_id, count(*) AS projects, sum(a.planned) AS plan, sum(a.to_date) AS to_date,
       sum(coalesce(l.ytd, 0)) AS actual
FROM projects p JOIN plans a ON a.project_id = p.id LEFT JOIN latest l ON l.project_id = p.id
GROUP BY p.unit_id ORDER BY p.unit_id
"""
runs = []
for _ in range(3):
    t = time.time()
    theirs = con.execute(query).fetchall()
    runs.append(time.time() - t)
best = min(runs)

mine = src.execute(
    "SELECT unit_id, projects, annual_plan, plan_to_date, actual_ytd FROM unit_totals "
    "WHERE year = ? AND month = ? AND dim = 'all' AND projects > 0 ORDER BY unit_id", (year, month)
).fetchall()
same = [tuple(int(x) for x in r) for r in theirs] == [tuple(r) for r in mine]
print(f"DuckDB {duckdb.__version__}: the rollup of {len(theirs)} units in {best * 1000:.0f} ms (best of 3; one month, one dimension, sums only)")
print(f"duban: full rebuild in {ours:.2f} s (12 months × 5 dimensions, lights, start facts, every project-year written)")
print(f"ratio duban rebuild / DuckDB query: {ours / best:.1f}×; same per-unit figures: {'yes' if same else 'NO'}")
if query_ms:
    print(f"duban's dashboard answer (by-unit breakdown, from the kept totals): {query_ms:.1f} ms over HTTP, "
          f"DuckDB / duban = {best * 1000 / query_ms:.0f}×")
sys.exit(0 if same else 1)
