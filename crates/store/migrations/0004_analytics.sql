-- duban schema, version 4: the analytics read model. One row per project and year with
-- its monthly plan, actual (carried forward), flags and lights; and additive totals per
-- unit (own projects only) and month, overall and by chain, category and nature. Both
-- are kept up to date in the transaction of every approval and registry change, and can
-- be rebuilt from scratch (`duban stats --refresh`); the two always agree.

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
    -- bit m-1 set: reported / started / due to start by month m
    reported BIGINT NOT NULL,
    started BIGINT NOT NULL,
    due BIGINT NOT NULL,
    -- one letter a month: g y o r
    lights TEXT NOT NULL,
    PRIMARY KEY (project_id, year)
);
CREATE INDEX project_years_unit ON project_years(year, unit_id);

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
    due_to_start BIGINT NOT NULL,
    started_of_due BIGINT NOT NULL,
    started BIGINT NOT NULL,
    green BIGINT NOT NULL,
    yellow BIGINT NOT NULL,
    orange BIGINT NOT NULL,
    red BIGINT NOT NULL,
    PRIMARY KEY (year, month, dim, dim_key, unit_id)
);
