ALTER TABLE infusions DROP COLUMN intent;
