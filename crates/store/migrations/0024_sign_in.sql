-- duban schema, version 24: the office's own sign-in and the second factor's way back.
-- A sign-in through the identity platform (OpenID Connect) waits here between leaving
-- for the platform and coming back: the state's hash, the nonce and the PKCE verifier.
-- Kept in the database, not in one server's memory, so that the browser may come back
-- through another instance behind the load balancer. Each is taken once.
CREATE TABLE sso_pending (
    state_hash TEXT PRIMARY KEY,
    nonce TEXT NOT NULL,
    verifier TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
-- Who a person is at the platform (issuer and subject), and which duban account that is.
CREATE TABLE external_identities (
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users(id),
    linked_at BIGINT NOT NULL,
    PRIMARY KEY (issuer, subject)
);
-- One identity per account and platform.
CREATE UNIQUE INDEX external_identities_user ON external_identities(issuer, user_id);
-- One-time recovery codes for an account with TOTP, kept as keyed digests (the key is
-- outside the database); a used code keeps its row with the time it was used.
CREATE TABLE recovery_codes (
    id {id},
    user_id BIGINT NOT NULL REFERENCES users(id),
    digest TEXT NOT NULL,
    used_at BIGINT
);
CREATE INDEX recovery_codes_user ON recovery_codes(user_id);
-- How each session was opened: `password` (with the second factor when the account has
-- one) or `sso` (the platform vouched for the person and their factors).
ALTER TABLE sessions ADD COLUMN via TEXT NOT NULL DEFAULT 'password';
