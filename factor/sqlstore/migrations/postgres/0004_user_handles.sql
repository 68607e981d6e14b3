-- twostep schema, version 4, for PostgreSQL 12 or later.
--
-- User handles (factor.HandleStore): random values a factor gave a user,
-- such as the user handle of the user's passkeys, by which a passwordless
-- login finds the user. A handle names one user; a user may have several.
-- The primary key finds a user by handle, the index a user's handles (for
-- Forget).
CREATE TABLE twostep_user_handles (
    handle  bytea            NOT NULL PRIMARY KEY,
    user_id text COLLATE "C" NOT NULL
);
CREATE INDEX twostep_user_handles_user ON twostep_user_handles (user_id);
