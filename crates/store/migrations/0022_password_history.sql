-- duban schema, version 22: the hashes of each user's recent passwords (the current one
-- among them), so that a new password differs from the last five, the initial password
-- an administrator issued included.
CREATE TABLE password_history (
    id {id},
    user_id BIGINT NOT NULL REFERENCES users(id),
    hash TEXT NOT NULL,
    set_at BIGINT NOT NULL
);
CREATE INDEX password_history_user ON password_history(user_id, id);
