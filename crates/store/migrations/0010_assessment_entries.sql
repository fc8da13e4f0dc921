-- duban schema, version 10: figures entered per unit for an assessment run (awards,
-- criticisms, scale …), each with the evidence it rests on.
CREATE TABLE assessment_entries (
    run_id BIGINT NOT NULL REFERENCES assessment_runs(id),
    unit_id BIGINT NOT NULL,
    indicator TEXT NOT NULL,
    value DOUBLE PRECISION,
    count DOUBLE PRECISION,
    evidence TEXT NOT NULL,
    entered_by BIGINT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (run_id, unit_id, indicator)
);
