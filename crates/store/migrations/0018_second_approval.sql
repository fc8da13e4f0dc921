-- duban schema, version 18: a second approval level where an office has one (the unit
-- submits, its supervising department approves first — state `checked` — and the
-- office named in the settings approves last). Who gave the first approval and when is
-- kept on the report, so that the second is given by someone else.
ALTER TABLE reports ADD COLUMN checked_by BIGINT;
ALTER TABLE reports ADD COLUMN checked_at BIGINT;
