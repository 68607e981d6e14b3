-- twostep schema, version 1, for PostgreSQL 12 or later.
--
-- Times are timestamptz with microsecond precision; NULL is the zero time.
-- Secrets, hashes and factor state are bytea; NULL is a nil slice. IDs use
-- the "C" collation, so that they sort bytewise, as Go sorts strings.

CREATE TABLE twostep_enrollments (
    id           text COLLATE "C" NOT NULL PRIMARY KEY,
    user_id      text COLLATE "C" NOT NULL,
    kind         text        NOT NULL,
    label        text        NOT NULL DEFAULT '',
    address      text        NOT NULL DEFAULT '',
    is_primary   boolean     NOT NULL DEFAULT false,
    confirmed    boolean     NOT NULL DEFAULT false,
    replaces     text        NOT NULL DEFAULT '',
    secret       bytea,
    counter      bigint      NOT NULL DEFAULT 0,
    state        bytea,
    created_at   timestamptz,
    expires_at   timestamptz,
    confirmed_at timestamptz,
    last_used_at timestamptz,
    version      bigint      NOT NULL
);
CREATE INDEX twostep_enrollments_user ON twostep_enrollments (user_id, created_at NULLS FIRST, id);

CREATE TABLE twostep_attempts (
    user_id      text COLLATE "C" NOT NULL PRIMARY KEY,
    failures     integer     NOT NULL DEFAULT 0,
    locks        integer     NOT NULL DEFAULT 0,
    locked_until timestamptz
);

CREATE TABLE twostep_challenges (
    id            text COLLATE "C" NOT NULL PRIMARY KEY,
    user_id       text COLLATE "C" NOT NULL,
    enrollment_id text        NOT NULL DEFAULT '',
    kind          text        NOT NULL DEFAULT '',
    code_hash     bytea,
    keypad        boolean     NOT NULL DEFAULT false,
    tries         integer     NOT NULL DEFAULT 0,
    sends         integer     NOT NULL DEFAULT 0,
    sent_at       timestamptz,
    expires_at    timestamptz,
    approved_at   timestamptz,
    used_at       timestamptz,
    version       bigint      NOT NULL
);
CREATE INDEX twostep_challenges_user ON twostep_challenges (user_id);

CREATE TABLE twostep_counters (
    key        text COLLATE "C" NOT NULL PRIMARY KEY,
    count      bigint      NOT NULL,
    expires_at timestamptz
);

CREATE TABLE twostep_devices (
    id             text COLLATE "C" NOT NULL PRIMARY KEY,
    user_id        text COLLATE "C" NOT NULL,
    label          text        NOT NULL DEFAULT '',
    validator_hash bytea,
    created_at     timestamptz,
    last_used_at   timestamptz,
    expires_at     timestamptz
);
CREATE INDEX twostep_devices_user ON twostep_devices (user_id, created_at NULLS FIRST, id);

CREATE TABLE twostep_recovery_codes (
    user_id text COLLATE "C" NOT NULL,
    hash    bytea       NOT NULL,
    PRIMARY KEY (user_id, hash)
);

CREATE TABLE twostep_activation_codes (
    user_id    text COLLATE "C" NOT NULL PRIMARY KEY,
    hash       bytea,
    issued_by  text        NOT NULL DEFAULT '',
    created_at timestamptz,
    expires_at timestamptz,
    used_at    timestamptz
);

CREATE TABLE twostep_user_state (
    user_id      text COLLATE "C" NOT NULL PRIMARY KEY,
    prompted_at  timestamptz,
    activated_at timestamptz,
    version      bigint      NOT NULL
);
