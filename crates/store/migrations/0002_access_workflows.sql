-- duban schema, version 2: sessions, API tokens, the audit log with its hash chain,
-- attachments, inspections, work items (三本清单 and indicator targets) and their
-- progress, problem extensions and assisting units.

ALTER TABLE users ADD COLUMN totp_enabled BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;

-- A login session. The cookie holds a random token; only its SHA-256 is stored.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    csrf TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen BIGINT NOT NULL,
    ip TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions(user_id);

-- An API token for a system integration: acts as its owner with a subset of the
-- owner's roles (comma-separated codes), until revoked or expired.
CREATE TABLE api_tokens (
    id {id},
    user_id BIGINT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    roles TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT,
    last_used BIGINT,
    revoked_at BIGINT
);

-- Append-only audit log; hash = SM3(previous hash, canonical entry). `seq` has no gaps.
CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at BIGINT NOT NULL,
    actor_id BIGINT,
    actor TEXT NOT NULL,
    ip TEXT NOT NULL,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    before TEXT NOT NULL,
    after TEXT NOT NULL,
    outcome TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_actor ON audit_log(actor);

-- The head of the chain: one row. Every audited write updates it inside its own
-- transaction, which orders the entries on both engines.
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Files, content-addressed: the bytes live at DATA_DIR/attachments/ab/cdef… (SHA-256).
CREATE TABLE attachments (
    id {id},
    sha256 TEXT NOT NULL,
    name TEXT NOT NULL,
    mime TEXT NOT NULL,
    size BIGINT NOT NULL,
    object_type TEXT NOT NULL,
    object_id BIGINT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    uploaded_by BIGINT NOT NULL REFERENCES users(id),
    uploaded_at BIGINT NOT NULL
);
CREATE INDEX attachments_object ON attachments(object_type, object_id);

CREATE TABLE problem_assisting (
    problem_id BIGINT NOT NULL REFERENCES problems(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    PRIMARY KEY (problem_id, unit_id)
);
CREATE INDEX problems_lead ON problems(lead_unit_id);

-- 延期申请: pending until a supervisor decides.
CREATE TABLE problem_extensions (
    id {id},
    problem_id BIGINT NOT NULL REFERENCES problems(id),
    current_deadline TEXT NOT NULL,
    requested TEXT NOT NULL,
    reason TEXT NOT NULL,
    requested_by BIGINT NOT NULL,
    requested_at BIGINT NOT NULL,
    decision TEXT,
    decided_by BIGINT,
    decided_at BIGINT
);
CREATE INDEX problem_extensions_problem ON problem_extensions(problem_id);

CREATE TABLE inspections (
    id {id},
    unit_id BIGINT NOT NULL REFERENCES units(id),
    visited_on TEXT NOT NULL,
    title TEXT NOT NULL,
    inspectors TEXT NOT NULL,
    created_by BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE inspection_projects (
    inspection_id BIGINT NOT NULL REFERENCES inspections(id),
    project_id BIGINT NOT NULL REFERENCES projects(id),
    PRIMARY KEY (inspection_id, project_id)
);
CREATE TABLE inspection_findings (
    id {id},
    inspection_id BIGINT NOT NULL REFERENCES inspections(id),
    project_id BIGINT REFERENCES projects(id),
    description TEXT NOT NULL,
    problem_id BIGINT REFERENCES problems(id),
    created_at BIGINT NOT NULL
);

-- 三本清单 work items and unit-level indicator targets.
CREATE TABLE work_items (
    id {id},
    list TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    year BIGINT NOT NULL,
    title TEXT NOT NULL,
    target TEXT NOT NULL,
    measure TEXT NOT NULL DEFAULT '',
    target_value BIGINT,
    due_on TEXT,
    archived BOOLEAN NOT NULL DEFAULT FALSE,
    version BIGINT NOT NULL DEFAULT 1,
    created_by BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX work_items_unit ON work_items(unit_id, year);

-- Periodic progress of a work item, under the report workflow.
CREATE TABLE work_progress (
    id {id},
    item_id BIGINT NOT NULL REFERENCES work_items(id),
    year BIGINT NOT NULL,
    month BIGINT NOT NULL,
    state TEXT NOT NULL,
    value BIGINT,
    text TEXT NOT NULL,
    returned_reason TEXT,
    submitted_at BIGINT,
    approved_at BIGINT,
    created_by BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (item_id, year, month)
);

CREATE INDEX reports_period ON reports(year, month, state);
