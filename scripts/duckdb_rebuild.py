"""DuckDB computing the same outputs as duban's rebuild of a year, for `make bench`.

duban's `stats --refresh` recomputes a year's read model from the registry, the plans,
the milestones and the reports: one row per project-year (the plan curve, the actual
year-to-date carried forward from the latest approved report, the report, start and
milestone flags of every month, the light of every month under the light rules in force)
and the totals of every (dimension, key, unit, month). This script computes the same two
tables with DuckDB, reading duban's SQLite file directly (DuckDB's sqlite extension, from
PyPI), times it, and checks every row and every column against what duban wrote.

The light rules are the ones stored in the database (`settings.light_rules`), over the
published Yinchuan default as duban reads them; every rule duban evaluates for a project's
month is written here in SQL (progress against the plan or the calendar, start, statistics
entry, funds, milestone slippage, escalation of consecutive yellows).

usage: python duckdb_rebuild.py DB.sqlite YEAR OUR_REBUILD_SECONDS [OUR_QUERY_MS]
exit status 1 when a row differs.
"""
import glob, json, os, sqlite3, sys, time

import duckdb

# The published Yinchuan rules: duban's `RuleSet::yinchuan()`. A stored configuration
# replaces fields one by one; `null` turns a rule off.
YINCHUAN = {
    "progress": {"basis": "plan", "yellow_behind_bp": 1000, "red_behind_bp": 3000},
    "start": {"yellow_after_months": 0, "red_after_months": 2},
    "stats_entry": {"yellow_after_months": 1, "red_after_months": 2},
    "funds": {"red_behind_bp": 3000},
    "slippage": None,
    "escalate_after_yellows": 0,
}


def rules_of(src):
    row = src.execute("SELECT value FROM settings WHERE key = 'light_rules'").fetchone()
    r = dict(YINCHUAN)
    if row:
        r.update(json.loads(row[0]))
    return r


def ratio_macro():
    # duban's ratio_bp: part / whole in basis points, rounded half away from zero; NULL
    # when whole is not positive. (In BIGINT: an amount in yuan times 20,000 stays far
    # below its range, and DuckDB raises an error on overflow rather than wrapping.)
    return """
    CREATE MACRO ratio_bp(part, whole) AS CASE WHEN whole > 0 THEN
        CASE WHEN part >= 0 THEN (20000 * part + whole) // (2 * whole)
             ELSE -((-20000 * part + whole) // (2 * whole)) END END;
    """


def light_sql(r):
    """The light of one month before escalation (0 green, 1 yellow, 2 orange, 3 red)."""
    parts = ["0"]
    p = r.get("progress")
    if p:
        should = "calendar_bp" if p.get("basis", "plan") == "calendar" else "plan_bp"
        parts.append(f"""CASE WHEN in_construction AND completion_bp IS NOT NULL AND {should} IS NOT NULL THEN
            CASE WHEN {should} - completion_bp > {int(p['red_behind_bp'])} THEN 3
                 WHEN {should} - completion_bp >= {int(p['yellow_behind_bp'])} AND {should} - completion_bp > 0 THEN 1
                 ELSE 0 END ELSE 0 END""")
    s = r.get("start")
    if s:
        parts.append(f"""CASE WHEN planned_start IS NOT NULL AND (started_month IS NULL OR started_month > m) AND m >= planned_start THEN
            CASE WHEN m - planned_start >= {int(s['red_after_months'])} THEN 3
                 WHEN m - planned_start >= {int(s['yellow_after_months'])} THEN 1 ELSE 0 END ELSE 0 END""")
    s = r.get("stats_entry")
    if s:
        parts.append(f"""CASE WHEN months_since_start IS NOT NULL AND NOT entered AND started_month IS NOT NULL AND started_month <= m THEN
            CASE WHEN months_since_start >= {int(s['red_after_months'])} THEN 3
                 WHEN months_since_start >= {int(s['yellow_after_months'])} THEN 1 ELSE 0 END ELSE 0 END""")
    f = r.get("funds")
    if f:
        parts.append(f"CASE WHEN disbursed_bp IS NOT NULL AND progress_bp - disbursed_bp > {int(f['red_behind_bp'])} THEN 3 ELSE 0 END")
    s = r.get("slippage")
    if s:
        parts.append(f"""CASE WHEN slippage_days > 0 THEN
            CASE WHEN slippage_days >= {int(s['red_days'])} THEN 3 WHEN slippage_days >= {int(s['orange_days'])} THEN 2
                 WHEN slippage_days >= {int(s['yellow_days'])} THEN 1 ELSE 0 END ELSE 0 END""")
    return "greatest(" + ", ".join(parts) + ")"


def read_sql(year):
    """The inputs of the year, read from duban's file into DuckDB's own tables."""
    cols = ", ".join(f"m{m:02}" for m in range(1, 13))
    return f"""
    CREATE TABLE p AS SELECT id, unit_id, chain_id, category, nature, total_investment
        FROM d.projects WHERE archived = 0;
    CREATE TABLE fund AS SELECT DISTINCT project_id, source FROM d.project_funding;
    CREATE TABLE plan AS SELECT project_id, [{cols}] AS cum, planned_start_month
        FROM d.annual_plans WHERE year = {year} AND archived = 0;
    CREATE TABLE ms AS SELECT project_id, CAST(planned_date AS DATE) AS pd, CAST(actual_date AS DATE) AS ad
        FROM d.milestones WHERE year = {year};
    CREATE TABLE r AS SELECT project_id, month, revision, state, invest_ytd, progress_bp, funds_disbursed,
            started <> 0 AS started, CAST(started_on AS DATE) AS started_on, stats_entered <> 0 AS stats_entered,
            late <> 0 AS late
        FROM d.reports WHERE year = {year};
    """


def compute_sql(year, r):
    n = int(r.get("escalate_after_yellows") or 0)
    escalated = (
        f"CASE WHEN m >= {n} AND count_if(light0 = 1) OVER (PARTITION BY id ORDER BY m ROWS BETWEEN {n - 1} PRECEDING AND CURRENT ROW) = {n} THEN 3 ELSE light0 END"
        if n > 0 else "light0"
    )
    slip = "coalesce(mm.slip, 0)" if r.get("slippage") else "0"
    bits = lambda c: f"CAST(sum(CASE WHEN {c} THEN 1 << (m - 1) ELSE 0 END) AS BIGINT)"
    month_cols = ", ".join(
        [f"max(plan_m) FILTER (m = {m}) AS p{m:02}" for m in range(1, 13)]
        + [f"max(actual) FILTER (m = {m}) AS a{m:02}" for m in range(1, 13)]
    )
    return f"""
    -- The newest approved revision of each month, and the month each project was first
    -- entered in the statistics.
    CREATE TEMP TABLE appr AS
        SELECT project_id, month, arg_max(invest_ytd, revision) AS ytd, arg_max(progress_bp, revision) AS pbp,
            arg_max(funds_disbursed, revision) AS disbursed, arg_max(started, revision) AS st,
            arg_max(started_on, revision) AS started_on, arg_max(stats_entered, revision) AS entered
        FROM r WHERE state = 'approved' GROUP BY project_id, month;
    CREATE TEMP TABLE first_entered AS SELECT project_id, min(month) AS month FROM appr WHERE entered GROUP BY project_id;
    CREATE TEMP TABLE subs AS SELECT project_id, month,
            bool_or(state IN ('submitted', 'checked', 'approved')) AS submitted, bool_or(revision = 1 AND late) AS late
        FROM r GROUP BY project_id, month;
    -- Milestones (of projects with a plan) at each month's end: one overdue, the worst slippage.
    CREATE TEMP TABLE mm AS
        WITH ends AS (SELECT m, last_day(make_date({year}, m::INT, 1)) AS e FROM range(1, 13) t(m))
        SELECT ms.project_id, m AS month,
               bool_or(pd < e AND (ad IS NULL OR ad > e)) AS overdue,
               max(CASE WHEN pd < e THEN CASE WHEN ad IS NOT NULL AND ad <= e THEN datediff('day', pd, ad) ELSE datediff('day', pd, e) END END) AS slip
        FROM ms SEMI JOIN plan USING (project_id) CROSS JOIN ends GROUP BY ms.project_id, m;
    -- A project is in the year with a plan or an approved report; one row per month, the
    -- latest approved report up to the month joined as of the month.
    CREATE TEMP TABLE lit AS
        WITH inc AS (
            SELECT project_id AS id FROM plan SEMI JOIN p ON p.id = plan.project_id
            UNION SELECT DISTINCT project_id FROM appr SEMI JOIN p ON p.id = appr.project_id
        ), g AS (
            SELECT inc.id, t.m FROM inc CROSS JOIN range(1, 13) t(m)
        ), latest AS (
            SELECT g.*, a.month AS latest_month, a.ytd, a.pbp, a.disbursed, a.st, a.started_on
            FROM g ASOF LEFT JOIN appr a ON a.project_id = g.id AND g.m >= a.month
        ), carried AS (
            SELECT l.*, p.nature, p.total_investment, pl.cum,
                CASE WHEN p.nature = 'new' THEN pl.planned_start_month END AS planned_start
            FROM latest l JOIN p ON p.id = l.id LEFT JOIN plan pl ON pl.project_id = l.id
        ), started AS (
            SELECT *, coalesce(cum[m], 0) AS plan_m, coalesce(cum[12], 0) AS annual_plan, coalesce(ytd, 0) AS actual,
                coalesce(latest_month = m, false) AS reported, coalesce(st, false) AS started,
                CASE WHEN st THEN CASE WHEN year(started_on) = {year} THEN month(started_on) ELSE 0 END END AS started_month
            FROM carried
        ), f AS (
            SELECT s.*,
                CASE WHEN st THEN
                    CASE WHEN started_on IS NULL THEN m - least(started_month, m)
                         WHEN year(started_on) * 12 + month(started_on) <= {year} * 12 + m
                             THEN ({year} - year(started_on)) * 12 + m - month(started_on)
                         ELSE 0 END END AS months_since_start,
                (CASE nature WHEN 'continuing' THEN true WHEN 'new' THEN coalesce(started_month <= m, false) ELSE false END)
                    AND plan_m > 0 AS in_construction,
                ratio_bp(actual, annual_plan) AS completion_bp, ratio_bp(plan_m, annual_plan) AS plan_bp,
                ratio_bp(m, 12) AS calendar_bp, coalesce(pbp, 0) AS progress_bp,
                CASE WHEN latest_month IS NOT NULL THEN ratio_bp(disbursed, total_investment) END AS disbursed_bp,
                coalesce(sb.submitted, false) OR reported AS submitted, coalesce(sb.late, false) AS late,
                coalesce(planned_start <= m, false) AS due, coalesce(fe.month <= m, false) AS entered,
                coalesce(mm.overdue, false) AS msover, {slip} AS slippage_days
            FROM started s
            LEFT JOIN subs sb ON sb.project_id = s.id AND sb.month = s.m
            LEFT JOIN first_entered fe ON fe.project_id = s.id
            LEFT JOIN mm ON mm.project_id = s.id AND mm.month = s.m
        ), lit0 AS (
            SELECT id, m, plan_m, annual_plan, actual, reported, submitted, late, started, due, msover, planned_start,
                {light_sql(r)} AS light0
            FROM f
        )
        SELECT * EXCLUDE (light0), {escalated} AS light FROM lit0;
    CREATE TABLE years AS
        WITH y AS (
            SELECT id, any_value(annual_plan) AS annual_plan, {month_cols},
                {bits('reported')} AS reported, {bits('submitted')} AS submitted, {bits('late')} AS late,
                {bits('started')} AS started, {bits('due')} AS due, {bits('msover')} AS msover,
                CAST(any_value(planned_start) IS NOT NULL AS BIGINT) AS new_planned,
                string_agg(substr('gyor', light + 1, 1), '' ORDER BY m) AS lights
            FROM lit GROUP BY id
        ), f AS (SELECT project_id, array_to_string(list_sort(list(source)), ',') AS funding FROM fund GROUP BY project_id)
        SELECT y.id AS project_id, {year} AS year, p.unit_id, p.chain_id, p.category, p.nature, p.total_investment,
            y.* EXCLUDE (id), coalesce(f.funding, '') AS funding
        FROM y JOIN p ON p.id = y.id LEFT JOIN f ON f.project_id = y.id;
    CREATE TABLE totals AS
        WITH l AS (SELECT lit.*, p.unit_id, p.chain_id, p.category, p.nature, p.total_investment FROM lit JOIN p ON p.id = lit.id),
        cells AS (
            SELECT 'all' AS dim, '' AS dim_key, * FROM l
            UNION ALL SELECT 'chain', coalesce(CAST(chain_id AS VARCHAR), ''), * FROM l
            UNION ALL SELECT 'category', category, * FROM l
            UNION ALL SELECT 'nature', nature, * FROM l
            UNION ALL SELECT 'funding', fund.source, l.* FROM l JOIN fund ON fund.project_id = l.id
        )
        SELECT dim, dim_key, unit_id, {year} AS year, m AS month, count(*) AS projects,
            sum(total_investment) AS total_investment, sum(annual_plan) AS annual_plan, sum(plan_m) AS plan_to_date,
            sum(actual) AS actual_ytd, count_if(reported) AS reported, count_if(submitted) AS submitted, count_if(late) AS late,
            count_if(due) AS due_to_start, count_if(due AND started) AS started_of_due,
            count_if(planned_start IS NOT NULL) AS new_planned, count_if(planned_start IS NOT NULL AND started) AS new_started,
            count_if(started) AS started, count_if(msover) AS milestones_overdue,
            count_if(light = 0) AS green, count_if(light = 1) AS yellow, count_if(light = 2) AS orange, count_if(light = 3) AS red
        FROM cells GROUP BY dim, dim_key, unit_id, m;
    """


def differing(con, ours, theirs, cols):
    a = con.execute(f"SELECT count(*) FROM (SELECT {cols} FROM {ours} EXCEPT ALL SELECT {cols} FROM {theirs})").fetchone()[0]
    b = con.execute(f"SELECT count(*) FROM (SELECT {cols} FROM {theirs} EXCEPT ALL SELECT {cols} FROM {ours})").fetchone()[0]
    if a or b:
        for row in con.execute(f"(SELECT 'duckdb' AS who, {cols} FROM {ours} EXCEPT ALL SELECT 'duckdb', {cols} FROM {theirs}) "
                               f"UNION ALL (SELECT 'duban', {cols} FROM {theirs} EXCEPT ALL SELECT 'duban', {cols} FROM {ours}) "
                               "ORDER BY 2, 3, 4 LIMIT 6").fetchall():
            print("  differs:", row)
    return a + b


def main():
    db, year, ours = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    query_ms = float(sys.argv[4]) if len(sys.argv) > 4 else None
    src = sqlite3.connect(db)
    rules = rules_of(src)
    src.close()
    ext = glob.glob(os.path.join(os.path.dirname(duckdb.__file__), "..", "duckdb_ext", "extensions", "*", "*", "sqlite_scanner.duckdb_extension"))
    con = duckdb.connect()
    con.execute(f"LOAD '{ext[0]}'" if ext else "LOAD sqlite")
    con.execute(ratio_macro())
    con.execute(f"ATTACH '{db}' AS d (TYPE sqlite, READ_ONLY)")
    t0 = time.time()
    con.execute(read_sql(year))
    t1 = time.time()
    con.execute(compute_sql(year, rules))
    t2 = time.time()
    theirs_cols = ", ".join(
        ["project_id", "year", "unit_id", "chain_id", "category", "nature", "total_investment", "annual_plan"]
        + [f"p{m:02}" for m in range(1, 13)] + [f"a{m:02}" for m in range(1, 13)]
        + ["reported", "submitted", "late", "started", "due", "msover", "new_planned", "lights", "funding"]
    )
    total_cols = ("dim, dim_key, unit_id, year, month, projects, total_investment, annual_plan, plan_to_date, actual_ytd, "
                  "reported, submitted, late, due_to_start, started_of_due, new_planned, new_started, started, "
                  "milestones_overdue, green, yellow, orange, red")
    con.execute(f"CREATE TABLE duban_years AS SELECT {theirs_cols} FROM d.project_years WHERE year = {year}")
    con.execute(f"CREATE TABLE duban_totals AS SELECT {total_cols} FROM d.unit_totals WHERE year = {year}")
    n_years = con.execute("SELECT count(*) FROM years").fetchone()[0]
    n_totals = con.execute("SELECT count(*) FROM totals").fetchone()[0]
    bad_years = differing(con, "years", "duban_years", theirs_cols)
    bad_totals = differing(con, "totals", "duban_totals", total_cols)
    best = t2 - t0
    print(f"DuckDB {duckdb.__version__}, the same outputs as duban's rebuild of {year}: {n_years:,} project-years and "
          f"{n_totals:,} totals cells (12 months, 5 dimensions, lights under the rules in force) in {best:.2f} s "
          f"(read from duban's SQLite file {t1 - t0:.2f} s, computed {t2 - t1:.2f} s)")
    print(f"duban: rebuild in {ours:.2f} s (the same, and written to its database in one transaction)")
    print(f"ratio duban rebuild / DuckDB: {ours / best:.2f}×; rows that differ: project-years {bad_years}, totals {bad_totals}")
    if query_ms:
        print(f"duban's dashboard answer (by-unit breakdown, from the kept totals): {query_ms:.1f} ms over HTTP")
    sys.exit(1 if bad_years or bad_totals else 0)


if __name__ == "__main__":
    main()
