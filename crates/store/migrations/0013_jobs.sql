-- duban schema, version 13: background work shared by several servers. A lease names the
-- one instance that may run a job now (taken when free or expired, renewed while it runs);
-- every run of a job is recorded (what, where, when, how it ended, what it did), so that a
-- run is done once for its period and administrators see the history.
CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE TABLE job_runs (
    id {id},
    job TEXT NOT NULL,
    period_key TEXT NOT NULL,
    instance TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    finished_at BIGINT,
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE UNIQUE INDEX job_runs_once ON job_runs (job, period_key);
