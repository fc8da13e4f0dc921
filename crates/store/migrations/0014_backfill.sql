-- duban schema, version 14: history loaded on day one (补录). A back-filled report is an
-- approved report of its own period, entered later by a supervisor from the office's
-- records; it is marked so in the data as it is in the audit log and the UI, and is
-- never counted as late.
ALTER TABLE reports ADD COLUMN backfilled BOOLEAN NOT NULL DEFAULT FALSE;
