-- duban schema, version 9: assessment runs (考核). A run freezes the scheme it was started
-- with and the inputs duban computed for each unit at that moment; reviewers' scores are
-- added to it until it is published.
CREATE TABLE assessment_runs (
    id {id},
    scheme_name TEXT NOT NULL,
    scheme TEXT NOT NULL,
    period TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    state TEXT NOT NULL,
    inputs TEXT NOT NULL,
    created_by BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    published_by BIGINT,
    published_at BIGINT
);
CREATE TABLE assessment_reviews (
    run_id BIGINT NOT NULL REFERENCES assessment_runs(id),
    unit_id BIGINT NOT NULL,
    indicator TEXT NOT NULL,
    reviewer_id BIGINT NOT NULL,
    reviewer_group TEXT NOT NULL,
    score DOUBLE PRECISION NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (run_id, unit_id, indicator, reviewer_id)
);
