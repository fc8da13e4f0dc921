-- duban schema, version 1: units, chains, projects, plans, reports, problems, users, settings.
-- One text for both engines. `{id}` is the only dialect placeholder (an auto-assigned
-- 64-bit primary key). Money is BIGINT yuan, times are BIGINT Unix milliseconds (UTC),
-- dates are TEXT 'YYYY-MM-DD'.

CREATE TABLE units (
    id {id},
    parent_id BIGINT REFERENCES units(id),
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    series TEXT NOT NULL,
    sort BIGINT NOT NULL DEFAULT 0,
    archived BOOLEAN NOT NULL DEFAULT FALSE,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX units_parent ON units(parent_id);

-- Moves of a unit in the tree keep their history.
CREATE TABLE unit_moves (
    id {id},
    unit_id BIGINT NOT NULL REFERENCES units(id),
    from_parent BIGINT,
    to_parent BIGINT,
    moved_at BIGINT NOT NULL
);

CREATE TABLE chains (
    id {id},
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    leader TEXT NOT NULL DEFAULT ''
);

CREATE TABLE projects (
    id {id},
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    builder TEXT NOT NULL DEFAULT '',
    leader TEXT NOT NULL DEFAULT '',
    chain_id BIGINT REFERENCES chains(id),
    category TEXT NOT NULL,
    nature TEXT NOT NULL,
    level TEXT NOT NULL,
    status TEXT NOT NULL,
    location TEXT NOT NULL DEFAULT '',
    lon DOUBLE PRECISION,
    lat DOUBLE PRECISION,
    content TEXT NOT NULL DEFAULT '',
    start_year BIGINT NOT NULL,
    end_year BIGINT NOT NULL,
    total_investment BIGINT NOT NULL,
    parent_id BIGINT REFERENCES projects(id),
    archived BOOLEAN NOT NULL DEFAULT FALSE,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX projects_unit ON projects(unit_id);
CREATE INDEX projects_chain ON projects(chain_id);
CREATE INDEX projects_status ON projects(status);

CREATE TABLE project_funding (
    project_id BIGINT NOT NULL REFERENCES projects(id),
    source TEXT NOT NULL,
    amount BIGINT NOT NULL,
    PRIMARY KEY (project_id, source)
);

-- m01..m12: the cumulative monthly plan; m12 equals planned.
CREATE TABLE annual_plans (
    project_id BIGINT NOT NULL REFERENCES projects(id),
    year BIGINT NOT NULL,
    planned BIGINT NOT NULL,
    m01 BIGINT NOT NULL, m02 BIGINT NOT NULL, m03 BIGINT NOT NULL, m04 BIGINT NOT NULL,
    m05 BIGINT NOT NULL, m06 BIGINT NOT NULL, m07 BIGINT NOT NULL, m08 BIGINT NOT NULL,
    m09 BIGINT NOT NULL, m10 BIGINT NOT NULL, m11 BIGINT NOT NULL, m12 BIGINT NOT NULL,
    planned_start_month BIGINT,
    version BIGINT NOT NULL DEFAULT 1,
    PRIMARY KEY (project_id, year)
);

CREATE TABLE milestones (
    id {id},
    project_id BIGINT NOT NULL REFERENCES projects(id),
    year BIGINT NOT NULL,
    name TEXT NOT NULL,
    planned_date TEXT NOT NULL,
    actual_date TEXT
);
CREATE INDEX milestones_project ON milestones(project_id, year);

-- One row per revision of a period's report; revision 1 is the first report.
CREATE TABLE reports (
    id {id},
    project_id BIGINT NOT NULL REFERENCES projects(id),
    year BIGINT NOT NULL,
    month BIGINT NOT NULL,
    revision BIGINT NOT NULL DEFAULT 1,
    state TEXT NOT NULL,
    invest_period BIGINT NOT NULL,
    invest_ytd BIGINT NOT NULL,
    invest_since_start BIGINT NOT NULL,
    progress_bp BIGINT NOT NULL,
    progress_text TEXT NOT NULL DEFAULT '',
    funds_received BIGINT NOT NULL DEFAULT 0,
    funds_disbursed BIGINT NOT NULL DEFAULT 0,
    started BOOLEAN NOT NULL DEFAULT FALSE,
    started_on TEXT,
    stats_entered BOOLEAN NOT NULL DEFAULT FALSE,
    issues TEXT NOT NULL DEFAULT '',
    next_steps TEXT NOT NULL DEFAULT '',
    returned_reason TEXT,
    late BOOLEAN NOT NULL DEFAULT FALSE,
    submitted_at BIGINT,
    approved_at BIGINT,
    created_at BIGINT NOT NULL,
    UNIQUE (project_id, year, month, revision)
);

CREATE TABLE problems (
    id {id},
    project_id BIGINT REFERENCES projects(id),
    source TEXT NOT NULL,
    category TEXT NOT NULL,
    description TEXT NOT NULL,
    lead_unit_id BIGINT REFERENCES units(id),
    assisting_units TEXT NOT NULL DEFAULT '',
    responsible TEXT NOT NULL DEFAULT '',
    deadline TEXT,
    state TEXT NOT NULL,
    resolved_by BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX problems_state_deadline ON problems(state, deadline);
CREATE INDEX problems_project ON problems(project_id);

-- Every step of a problem, timestamped with its actor.
CREATE TABLE problem_events (
    id {id},
    problem_id BIGINT NOT NULL REFERENCES problems(id),
    at BIGINT NOT NULL,
    actor BIGINT,
    action TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX problem_events_problem ON problem_events(problem_id);

CREATE TABLE users (
    id {id},
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    password_hash TEXT NOT NULL,
    must_change_password BOOLEAN NOT NULL DEFAULT TRUE,
    password_changed_at BIGINT NOT NULL,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until BIGINT,
    totp_secret TEXT,
    archived BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL
);

-- A role granted with a data scope: own | subtree | units (scope_units: comma-separated ids) | all.
CREATE TABLE user_roles (
    user_id BIGINT NOT NULL REFERENCES users(id),
    role TEXT NOT NULL,
    scope TEXT NOT NULL,
    scope_units TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (user_id, role)
);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
