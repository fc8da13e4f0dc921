-- duban schema, version 11: spreadsheet imports. An upload is kept with its preview until it
-- is committed, so that the commit applies exactly the file that was previewed, and the history
-- of imports (who, which file, what it changed) stays with the data.
CREATE TABLE imports (
    id {id},
    user_id BIGINT NOT NULL REFERENCES users(id),
    filename TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size BIGINT NOT NULL,
    kind TEXT,
    content {bytes} NOT NULL,
    state TEXT NOT NULL,
    summary TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    committed_at BIGINT
);
CREATE INDEX imports_by_user ON imports (user_id, id);
