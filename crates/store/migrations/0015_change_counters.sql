-- duban schema, version 15: counters of changes that caches depend on. A write that makes a
-- cached answer stale bumps its counter in the same transaction; every server compares the
-- counter with the one its cached answer was computed at, so a write on one server is seen
-- by the next read on any other.
CREATE TABLE change_counters (
    name TEXT PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT INTO change_counters (name, version) VALUES ('projects', 0);
INSERT INTO change_counters (name, version) VALUES ('problems', 0);
