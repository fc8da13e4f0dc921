-- duban schema, version 8: monthly bulletins (通报). Each generation of a period is a new
-- version holding the frozen snapshot it was composed from (gzipped JSON), so that it renders the
-- same document years later; a version moves draft → reviewed → published.
CREATE TABLE bulletins (
    id {id},
    period TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    version BIGINT NOT NULL,
    state TEXT NOT NULL,
    cutoff_at BIGINT NOT NULL,
    snapshot {bytes} NOT NULL,
    created_by BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    reviewed_by BIGINT,
    reviewed_at BIGINT,
    published_by BIGINT,
    published_at BIGINT,
    UNIQUE (period, unit_id, version)
);
