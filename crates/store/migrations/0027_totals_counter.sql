-- duban schema, version 27: a change counter of the read model's totals. Each server keeps
-- the sums its dashboards read (a month's totals by unit, chain, category …) in memory at
-- this count; every write that changes the totals (a report, a plan, a project, a
-- rebuild) counts itself once, in its transaction (see migration 15).
INSERT INTO change_counters (name, version) VALUES ('totals', 0);
