-- duban schema, version 17: each project's standing in the registry — its light, its
-- completion of the annual plan and its reported physical progress at the office's
-- current month — kept on the project row so that the registry sorts and filters by
-- them through an index, like its other columns, at a million projects. Derived data:
-- the read model writes it (one project with each change, every project when the month
-- turns or the light rules change); the month it describes is the setting
-- `standing_period`. 0 / -1 mean no light / no figure.
ALTER TABLE projects ADD COLUMN light_rank BIGINT NOT NULL DEFAULT 0;
ALTER TABLE projects ADD COLUMN completion_bp BIGINT NOT NULL DEFAULT -1;
ALTER TABLE projects ADD COLUMN progress_bp BIGINT NOT NULL DEFAULT -1;
-- The orders of migration 7 carry the light too, so that a light filter is checked in
-- the index walked, as the other filters are.
DROP INDEX projects_live_code;
DROP INDEX projects_live_name;
DROP INDEX projects_live_total_investment;
DROP INDEX projects_live_start_year;
CREATE INDEX projects_live_code ON projects(code, id, unit_id, status, chain_id, nature, category, light_rank)
    WHERE archived = FALSE;
CREATE INDEX projects_live_name ON projects(name, id, unit_id, status, chain_id, nature, category, light_rank)
    WHERE archived = FALSE;
CREATE INDEX projects_live_total_investment ON projects(total_investment, id, unit_id, status, chain_id, nature, category, light_rank)
    WHERE archived = FALSE;
CREATE INDEX projects_live_start_year ON projects(start_year, id, unit_id, status, chain_id, nature, category, light_rank)
    WHERE archived = FALSE;
CREATE INDEX projects_live_light ON projects(light_rank, id, unit_id, status, chain_id, nature, category)
    WHERE archived = FALSE;
CREATE INDEX projects_live_completion ON projects(completion_bp, id, unit_id, status, chain_id, nature, category, light_rank)
    WHERE archived = FALSE;
CREATE INDEX projects_live_progress ON projects(progress_bp, id, unit_id, status, chain_id, nature, category, light_rank)
    WHERE archived = FALSE;
