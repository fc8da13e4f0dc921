-- duban schema, version 6: project-years ordered by unit then project, so a unit's
-- dispatch list is read in order without sorting its whole subtree.
DROP INDEX project_years_unit;
CREATE INDEX project_years_unit ON project_years(year, unit_id, project_id);
