-- duban schema, version 26: the read model's totals stored in the order of their key.
-- Every dashboard reads them by (year, month, dim, …); as a table with row ids, each row
-- found through the key was then fetched from the table by its row id, a second search
-- per row (a third of the server's time under 16 dashboard clients at a million
-- projects). On SQLite the new table is WITHOUT ROWID: the key is the table. PostgreSQL
-- gets the same table again, unchanged.
CREATE TABLE unit_totals_v26 (
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
){without_rowid};
INSERT INTO unit_totals_v26 (dim, dim_key, unit_id, year, month, projects, total_investment,
    annual_plan, plan_to_date, actual_ytd, reported, submitted, late, due_to_start,
    started_of_due, new_planned, new_started, started, milestones_overdue, green, yellow,
    orange, red)
SELECT dim, dim_key, unit_id, year, month, projects, total_investment, annual_plan,
    plan_to_date, actual_ytd, reported, submitted, late, due_to_start, started_of_due,
    new_planned, new_started, started, milestones_overdue, green, yellow, orange, red
FROM unit_totals;
DROP TABLE unit_totals;
ALTER TABLE unit_totals_v26 RENAME TO unit_totals;
