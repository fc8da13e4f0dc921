-- duban schema, version 5: the funding sources of each project-year, so that totals can
-- be kept by funding source (a project counts fully under each of its sources).
ALTER TABLE project_years ADD COLUMN funding TEXT NOT NULL DEFAULT '';

-- Pending problems by lead unit, counted from the index alone (dashboards).
CREATE INDEX problems_pending ON problems(state, lead_unit_id, deadline);
