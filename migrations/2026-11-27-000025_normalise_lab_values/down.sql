-- Migration 000025 changed data only: it filled in normalised values that were missing. They
-- are what the app now writes for the same entry, and a backfilled row cannot be told from one
-- written since, so reverting leaves them (the schema is unchanged either way). Reverting the
-- app to before 000025 is safe: it reads normalised values it would not have written.
SELECT 1;
