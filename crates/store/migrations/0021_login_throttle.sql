-- duban schema, version 21: failed sign-ins counted per account and source, and per
-- source, instead of on the account alone. Five wrong passwords for an account from one
-- address lock that account from that address only (so nobody can lock a colleague out
-- from elsewhere, nor stop their API tokens); many failures from one address lock the
-- address. Each new lock lasts twice the last one. `key` is `a:USER:IP` or `s:IP`.
CREATE TABLE login_throttle (
    key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    locked_until BIGINT NOT NULL,
    strikes BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
