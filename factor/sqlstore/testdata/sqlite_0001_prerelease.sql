-- twostep schema, version 1, for SQLite 3.35 or later.
--
-- Times are INTEGER microseconds since the Unix epoch (UTC); NULL is the
-- zero time. Booleans are INTEGER 0 or 1. Secrets, hashes and factor state
-- are BLOBs; NULL is a nil slice.

CREATE TABLE twostep_enrollments (
    id           TEXT    NOT NULL PRIMARY KEY,
    user_id      TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    label        TEXT    NOT NULL DEFAULT '',
    address      TEXT    NOT NULL DEFAULT '',
    is_primary   INTEGER NOT NULL DEFAULT 0,
    confirmed    INTEGER NOT NULL DEFAULT 0,
    replaces     TEXT    NOT NULL DEFAULT '',
    secret       BLOB,
    counter      INTEGER NOT NULL DEFAULT 0,
    state        BLOB,
    created_at   INTEGER,
    expires_at   INTEGER,
    confirmed_at INTEGER,
    last_used_at INTEGER,
    version      INTEGER NOT NULL,
    -- Set to 1 by the save after a successful code: the trigger below
    -- then forgets the user's failures within the same statement.
    reset_attempts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX twostep_enrollments_user ON twostep_enrollments (user_id, created_at, id);

CREATE TRIGGER twostep_enrollments_verified
AFTER UPDATE OF reset_attempts ON twostep_enrollments
WHEN NEW.reset_attempts = 1
BEGIN
    DELETE FROM twostep_attempts WHERE user_id = NEW.user_id;
    UPDATE twostep_enrollments SET reset_attempts = 0 WHERE id = NEW.id;
END;

CREATE TABLE twostep_attempts (
    user_id      TEXT    NOT NULL PRIMARY KEY,
    failures     INTEGER NOT NULL DEFAULT 0,
    locks        INTEGER NOT NULL DEFAULT 0,
    locked_until INTEGER
);

CREATE TABLE twostep_challenges (
    id            TEXT    NOT NULL PRIMARY KEY,
    user_id       TEXT    NOT NULL,
    enrollment_id TEXT    NOT NULL DEFAULT '',
    kind          TEXT    NOT NULL DEFAULT '',
    code_hash     BLOB,
    keypad        INTEGER NOT NULL DEFAULT 0,
    tries         INTEGER NOT NULL DEFAULT 0,
    sends         INTEGER NOT NULL DEFAULT 0,
    sent_at       INTEGER,
    expires_at    INTEGER,
    approved_at   INTEGER,
    used_at       INTEGER,
    version       INTEGER NOT NULL
);
CREATE INDEX twostep_challenges_user ON twostep_challenges (user_id);

CREATE TABLE twostep_counters (
    key        TEXT    NOT NULL PRIMARY KEY,
    count      INTEGER NOT NULL,
    expires_at INTEGER
);

CREATE TABLE twostep_devices (
    id             TEXT NOT NULL PRIMARY KEY,
    user_id        TEXT NOT NULL,
    label          TEXT NOT NULL DEFAULT '',
    validator_hash BLOB,
    created_at     INTEGER,
    last_used_at   INTEGER,
    expires_at     INTEGER
);
CREATE INDEX twostep_devices_user ON twostep_devices (user_id, created_at, id);

CREATE TABLE twostep_recovery_codes (
    user_id TEXT NOT NULL,
    hash    BLOB NOT NULL,
    PRIMARY KEY (user_id, hash)
);

CREATE TABLE twostep_activation_codes (
    user_id    TEXT NOT NULL PRIMARY KEY,
    hash       BLOB,
    issued_by  TEXT NOT NULL DEFAULT '',
    created_at INTEGER,
    expires_at INTEGER,
    used_at    INTEGER
);

CREATE TABLE twostep_user_state (
    user_id      TEXT    NOT NULL PRIMARY KEY,
    prompted_at  INTEGER,
    activated_at INTEGER,
    version      INTEGER NOT NULL
);
