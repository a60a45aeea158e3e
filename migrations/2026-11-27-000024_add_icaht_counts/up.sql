-- The neutrophil counts an ICAHT grade rests on (EHA/EBMT 2023, domain.md §4.7 [G6]), so the
-- grade can be checked against them (registry::domain::icaht): early ICAHT (day 0-30) by the
-- days with ANC <= 500/µL and the days with ANC <= 100/µL; late ICAHT (after day 30) by the ANC
-- nadir in cells/µL. All optional (NULL: not recorded), whole numbers >= 0, each only on its
-- own ICAHT type; the days <= 100/µL are among the days <= 500/µL.
ALTER TABLE toxicity_events ADD COLUMN icaht_days_anc_le_500 INTEGER
    CHECK (icaht_days_anc_le_500 IS NULL OR (typeof(icaht_days_anc_le_500) = 'integer'
        AND icaht_days_anc_le_500 >= 0 AND toxicity_type = 'ICAHT_EARLY'));
ALTER TABLE toxicity_events ADD COLUMN icaht_days_anc_le_100 INTEGER
    CHECK (icaht_days_anc_le_100 IS NULL OR (typeof(icaht_days_anc_le_100) = 'integer'
        AND icaht_days_anc_le_100 >= 0 AND toxicity_type = 'ICAHT_EARLY'
        AND icaht_days_anc_le_100 <= coalesce(icaht_days_anc_le_500, icaht_days_anc_le_100)));
ALTER TABLE toxicity_events ADD COLUMN icaht_anc_nadir_per_ul INTEGER
    CHECK (icaht_anc_nadir_per_ul IS NULL OR (typeof(icaht_anc_nadir_per_ul) = 'integer'
        AND icaht_anc_nadir_per_ul >= 0 AND toxicity_type = 'ICAHT_LATE'));
