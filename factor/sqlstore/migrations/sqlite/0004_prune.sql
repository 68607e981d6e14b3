-- twostep schema, version 4, for SQLite 3.35 or later.
--
-- Prune removes every record whose expiry has passed, in batches. These
-- indexes let each batch find its rows without scanning the table, and an
-- empty batch cost next to nothing. Confirmed enrollments have no expiry
-- (NULL), which the range scan skips.
CREATE INDEX IF NOT EXISTS twostep_challenges_expires ON twostep_challenges (expires_at);
CREATE INDEX IF NOT EXISTS twostep_counters_expires ON twostep_counters (expires_at);
CREATE INDEX IF NOT EXISTS twostep_devices_expires ON twostep_devices (expires_at);
CREATE INDEX IF NOT EXISTS twostep_enrollments_expires ON twostep_enrollments (expires_at);
CREATE INDEX IF NOT EXISTS twostep_activation_codes_expires ON twostep_activation_codes (expires_at);
