-- twostep schema, version 2, for SQLite 3.35 or later.
--
-- The save after a successful code forgets the user's failures in the same
-- statement: it sets reset_attempts to 1, and the trigger deletes the
-- user's attempts and sets the flag back to 0. SQLite has no data-modifying
-- WITH clause, which is how PostgreSQL does it.

ALTER TABLE twostep_enrollments ADD COLUMN reset_attempts INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER twostep_enrollments_verified
AFTER UPDATE OF reset_attempts ON twostep_enrollments
WHEN NEW.reset_attempts = 1
BEGIN
    DELETE FROM twostep_attempts WHERE user_id = NEW.user_id;
    UPDATE twostep_enrollments SET reset_attempts = 0 WHERE id = NEW.id;
END;
