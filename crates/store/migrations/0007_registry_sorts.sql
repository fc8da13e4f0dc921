-- duban schema, version 7: the registry's orders as indexes of the live (not archived)
-- projects, each carrying the filter columns. A page is found by reading one index in
-- order, checking the filters in it, however deep (OFFSET skips index entries, not
-- rows); only the page's rows are then fetched. id breaks ties, as the list does.
CREATE INDEX projects_live_code ON projects(code, id, unit_id, status, chain_id, nature, category)
    WHERE archived = FALSE;
CREATE INDEX projects_live_name ON projects(name, id, unit_id, status, chain_id, nature, category)
    WHERE archived = FALSE;
CREATE INDEX projects_live_total_investment ON projects(total_investment, id, unit_id, status, chain_id, nature, category)
    WHERE archived = FALSE;
CREATE INDEX projects_live_start_year ON projects(start_year, id, unit_id, status, chain_id, nature, category)
    WHERE archived = FALSE;
