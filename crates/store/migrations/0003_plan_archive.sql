-- duban schema, version 3: an annual plan can be archived (withdrawn); it then leaves
-- every computation until a new plan is put for the same year.
ALTER TABLE annual_plans ADD COLUMN archived BOOLEAN NOT NULL DEFAULT FALSE;
