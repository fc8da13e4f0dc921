-- duban schema, version 12: the analytics read model carries what every measure of the
-- catalogue needs, so that the cockpit, the alerts, the 催报 list and the bulletin count
-- from one place: per project and month, whether a report was submitted, whether it was
-- late, whether a milestone is overdue, and whether the project is a new start planned
-- this year. The read model is derived data: both tables are recreated empty and rebuilt
-- from the reports when the server opens the database (`app::stats::ensure_built`).

DROP TABLE unit_totals;
DROP TABLE project_years;

CREATE TABLE project_years (
    project_id BIGINT NOT NULL REFERENCES projects(id),
    year BIGINT NOT NULL,
    unit_id BIGINT NOT NULL,
    chain_id BIGINT,
    category TEXT NOT NULL,
    nature TEXT NOT NULL,
    total_investment BIGINT NOT NULL,
    annual_plan BIGINT NOT NULL,
    p01 BIGINT NOT NULL, p02 BIGINT NOT NULL, p03 BIGINT NOT NULL, p04 BIGINT NOT NULL, p05 BIGINT NOT NULL, p06 BIGINT NOT NULL, p07 BIGINT NOT NULL, p08 BIGINT NOT NULL, p09 BIGINT NOT NULL, p10 BIGINT NOT NULL, p11 BIGINT NOT NULL, p12 BIGINT NOT NULL,
    a01 BIGINT NOT NULL, a02 BIGINT NOT NULL, a03 BIGINT NOT NULL, a04 BIGINT NOT NULL, a05 BIGINT NOT NULL, a06 BIGINT NOT NULL, a07 BIGINT NOT NULL, a08 BIGINT NOT NULL, a09 BIGINT NOT NULL, a10 BIGINT NOT NULL, a11 BIGINT NOT NULL, a12 BIGINT NOT NULL,
    -- bit m-1 set: reported (approved) / submitted / late / started / due to start /
    -- a milestone overdue, at month m
    reported BIGINT NOT NULL,
    submitted BIGINT NOT NULL,
    late BIGINT NOT NULL,
    started BIGINT NOT NULL,
    due BIGINT NOT NULL,
    msover BIGINT NOT NULL,
    -- 1: a new project planned to start this year
    new_planned BIGINT NOT NULL,
    -- one letter a month: g y o r
    lights TEXT NOT NULL,
    funding TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (project_id, year)
);
-- By unit, covering what the dispatch and 催报 lists test, so that counting a
-- division's projects that need action reads the index alone.
CREATE INDEX project_years_unit ON project_years(year, unit_id, project_id, lights, reported, submitted, started, due, msover);

CREATE TABLE unit_totals (
    dim TEXT NOT NULL,
    dim_key TEXT NOT NULL,
    unit_id BIGINT NOT NULL,
    year BIGINT NOT NULL,
    month BIGINT NOT NULL,
    projects BIGINT NOT NULL,
    total_investment BIGINT NOT NULL,
    annual_plan BIGINT NOT NULL,
    plan_to_date BIGINT NOT NULL,
    actual_ytd BIGINT NOT NULL,
    reported BIGINT NOT NULL,
    submitted BIGINT NOT NULL,
    late BIGINT NOT NULL,
    due_to_start BIGINT NOT NULL,
    started_of_due BIGINT NOT NULL,
    new_planned BIGINT NOT NULL,
    new_started BIGINT NOT NULL,
    started BIGINT NOT NULL,
    milestones_overdue BIGINT NOT NULL,
    green BIGINT NOT NULL,
    yellow BIGINT NOT NULL,
    orange BIGINT NOT NULL,
    red BIGINT NOT NULL,
    PRIMARY KEY (year, month, dim, dim_key, unit_id)
);
