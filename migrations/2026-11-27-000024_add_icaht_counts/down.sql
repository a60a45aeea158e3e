ALTER TABLE toxicity_events DROP COLUMN icaht_anc_nadir_per_ul;
ALTER TABLE toxicity_events DROP COLUMN icaht_days_anc_le_100;
ALTER TABLE toxicity_events DROP COLUMN icaht_days_anc_le_500;
