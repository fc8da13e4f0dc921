-- duban schema, version 16: why an approved report was reopened. A correction is a new
-- revision of the same period; its reason is kept with it and shown beside the revision.
ALTER TABLE reports ADD COLUMN correction_reason TEXT;
