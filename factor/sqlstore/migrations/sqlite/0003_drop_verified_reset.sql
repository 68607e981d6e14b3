-- twostep schema, version 3, for SQLite 3.35 or later.
--
-- The save after a successful code now updates the enrollment and deletes
-- the user's attempts in one transaction, so the trigger and flag column
-- that migration 0002 added for it go. The trigger goes first: a column
-- that a trigger names cannot be dropped.
--
-- A process of an earlier release still running against this database
-- fails its saves after a successful code (it writes the dropped column),
-- so upgrade every process that shares the database file.

DROP TRIGGER IF EXISTS twostep_enrollments_verified_reset;

ALTER TABLE twostep_enrollments DROP COLUMN verified_reset;
