-- twostep schema, version 5, for PostgreSQL 12 or later.
--
-- Delivery receipts (factor.Challenge.Delivery): what the provider last
-- reported about a challenge's current code, such as "delivered" or
-- "undelivered"; empty until a receipt came. Existing challenges have
-- none. Adding a column with a constant default rewrites no rows.
ALTER TABLE twostep_challenges ADD COLUMN delivery text NOT NULL DEFAULT '';
