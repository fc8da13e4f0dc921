-- duban schema, version 25: change counters of the unit tree and of the settings, which
-- every request reads (who may see what; the session's timeout and rules). Each server
-- keeps them in memory and reads only the counter; every write of units or settings
-- counts itself, in its transaction (see migration 15).
INSERT INTO change_counters (name, version) VALUES ('units', 0);
INSERT INTO change_counters (name, version) VALUES ('settings', 0);
