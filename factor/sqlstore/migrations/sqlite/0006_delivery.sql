-- twostep schema, version 6, for SQLite 3.35 or later.
--
-- Delivery receipts (factor.Challenge.Delivery): what the provider last
-- reported about a challenge's current code, such as "delivered" or
-- "undelivered"; empty until a receipt came. Existing challenges have
-- none.
ALTER TABLE twostep_challenges ADD COLUMN delivery TEXT NOT NULL DEFAULT '';
