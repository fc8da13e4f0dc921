-- duban schema, version 7: the registry's orders as indexes of the live (not archived)
-- projects. A page is found by reading the index alone, however deep (OFFSET skips index
-- entries, not rows), and only its rows are then fetched; a status filter reads its
-- projects already in code order. id breaks ties, as the list does.
-- The default order also carries the filter columns, so any mix of filters is checked
-- in the index while it is read in order.
CREATE INDEX projects_live_code ON projects(code, id, unit_id, status, chain_id, nature, category)
    WHERE archived = FALSE;
CREATE INDEX projects_live_investment ON projects(total_investment, id) WHERE archived = FALSE;
CREATE INDEX projects_live_name ON projects(name, id) WHERE archived = FALSE;
CREATE INDEX projects_live_start_year ON projects(start_year, id) WHERE archived = FALSE;
CREATE INDEX projects_live_status ON projects(status, code, id) WHERE archived = FALSE;
