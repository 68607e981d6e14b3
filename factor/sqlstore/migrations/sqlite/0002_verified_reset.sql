-- twostep schema, version 2, for SQLite 3.35 or later.
--
-- The save after a successful code forgets the user's failures in the same
-- statement: it sets verified_reset to 1, and the trigger deletes the
-- user's attempts and sets the flag back to 0. SQLite has no data-modifying
-- WITH clause, which is how PostgreSQL does it.
--
-- A pre-release 0001 had a column reset_attempts and a trigger
-- twostep_enrollments_verified for the same purpose. The trigger goes; the
-- column, if there, is no longer written.

DROP TRIGGER IF EXISTS twostep_enrollments_verified;

ALTER TABLE twostep_enrollments ADD COLUMN verified_reset INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER twostep_enrollments_verified_reset
AFTER UPDATE OF verified_reset ON twostep_enrollments
WHEN NEW.verified_reset = 1
BEGIN
    DELETE FROM twostep_attempts WHERE user_id = NEW.user_id;
    UPDATE twostep_enrollments SET verified_reset = 0 WHERE id = NEW.id;
END;
