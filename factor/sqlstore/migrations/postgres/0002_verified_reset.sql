-- twostep schema, version 2, for PostgreSQL 12 or later.
--
-- A login updates the user's twostep_attempts row twice (counting the
-- attempt, then resetting it to zeros after a right code) and the
-- enrollment once. None of these updates changes an indexed column, so
-- each can be a HOT update, which writes no index entry, as long as the
-- row's page has room for the new version. Leave that room. The setting
-- applies to pages written from now on; existing rows of a large table
-- gain the room once the table is rewritten (VACUUM FULL or CLUSTER).
ALTER TABLE twostep_attempts SET (fillfactor = 70);
ALTER TABLE twostep_enrollments SET (fillfactor = 90);
