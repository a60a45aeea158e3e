DROP TRIGGER toxicity_treatments_row_version;
DROP TRIGGER toxicity_events_row_version;
DROP TABLE toxicity_treatments;
DROP TABLE toxicity_events;
