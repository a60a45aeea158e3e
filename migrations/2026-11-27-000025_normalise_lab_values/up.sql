-- Normalised lab values for the results stored without them. The web app stored a lab result
-- as entered (value, unit) but left normalised_value/normalised_unit NULL, and the nightly
-- report reads only the normalised value, so those IgG and B-cell results were invisible to it.
-- The app now writes both; this fills them in for the rows already stored.
--
-- The factors are registry::domain::lab::LabAnalyte::conversion, one row per (analyte, unit) a
-- value may be entered in: the normalised unit is the analyte's first unit, and every fixed
-- factor is a power of ten. As in the app (Conversion::apply), the value is shifted in decimal,
-- not multiplied in binary (5.1 g/L is 510 mg/dL, not 509.99999999999994): its decimal text
-- gets the exponent appended and is read back as a number. SQLite writes a value as text with
-- 15 significant digits, so this is the app's double for any value typed with up to 15 digits
-- (every value typed into a form); a value SQLite writes in exponent form (below 1e-4, from
-- 1e15: no such lab value) is multiplied instead.
-- IFN-γ and sIL-2Rα in pg/mL have no fixed factor to IU/mL or U/mL (the activity unit depends
-- on the assay's calibrator): they stay without a normalised value, as the app stores them. A
-- unit the analyte is not given in (the app refuses it) is left alone too.
--
-- Each backfilled row gets row_version + 1, is updated by the system account (user 1), and
-- has its two new values in the audit trail under one change set, with the reason.
CREATE TEMP TABLE lab_unit_conversion (
    analyte         TEXT NOT NULL,
    unit            TEXT NOT NULL,
    normalised_unit TEXT NOT NULL,
    exponent        INTEGER NOT NULL,
    PRIMARY KEY (analyte, unit)
);
INSERT INTO lab_unit_conversion (analyte, unit, normalised_unit, exponent) VALUES
    ('IGG', 'MG_DL', 'MG_DL', 0),
    ('IGG', 'G_L', 'MG_DL', 2),
    ('IGA', 'MG_DL', 'MG_DL', 0),
    ('IGA', 'G_L', 'MG_DL', 2),
    ('IGM', 'MG_DL', 'MG_DL', 0),
    ('IGM', 'G_L', 'MG_DL', 2),
    ('CD19_ABS', 'CELLS_PER_UL', 'CELLS_PER_UL', 0),
    ('CD19_PCT', 'PCT', 'PCT', 0),
    ('CD20_ABS', 'CELLS_PER_UL', 'CELLS_PER_UL', 0),
    ('CD4_ABS', 'CELLS_PER_UL', 'CELLS_PER_UL', 0),
    ('ANC', 'X10E9_PER_L', 'X10E9_PER_L', 0),
    ('ANC', 'CELLS_PER_UL', 'X10E9_PER_L', -3),
    ('ALC', 'X10E9_PER_L', 'X10E9_PER_L', 0),
    ('ALC', 'CELLS_PER_UL', 'X10E9_PER_L', -3),
    ('WBC', 'X10E9_PER_L', 'X10E9_PER_L', 0),
    ('WBC', 'CELLS_PER_UL', 'X10E9_PER_L', -3),
    ('PLATELETS', 'X10E9_PER_L', 'X10E9_PER_L', 0),
    ('PLATELETS', 'CELLS_PER_UL', 'X10E9_PER_L', -3),
    ('HB', 'G_DL', 'G_DL', 0),
    ('HB', 'G_L', 'G_DL', -1),
    ('FERRITIN', 'NG_ML', 'NG_ML', 0),
    ('CRP', 'MG_DL', 'MG_DL', 0),
    ('CRP', 'MG_L', 'MG_DL', -1),
    ('IL6', 'PG_ML', 'PG_ML', 0),
    ('IFN_GAMMA', 'IU_ML', 'IU_ML', 0),
    ('SIL2RA', 'U_ML', 'U_ML', 0),
    ('LDH', 'U_L', 'U_L', 0);

CREATE TEMP TABLE lab_backfill AS
SELECT l.id AS id,
       l.patient_id AS patient_id,
       CASE
           WHEN c.exponent = 0 THEN l.value
           -- SQLite writes below 1e-4 and from 1e15 in exponent form: no text to extend.
           WHEN instr(lower(CAST(l.value AS TEXT)), 'e') > 0
               THEN l.value * CASE c.exponent WHEN 2 THEN 100.0 WHEN -1 THEN 0.1 ELSE 0.001 END
           ELSE CAST(CAST(l.value AS TEXT) || 'e' || c.exponent AS REAL)
       END AS normalised_value,
       c.normalised_unit AS normalised_unit
FROM lab_results l
JOIN lab_unit_conversion c ON c.analyte = l.analyte AND c.unit = l.unit
WHERE l.normalised_value IS NULL AND l.value IS NOT NULL;

CREATE TEMP TABLE lab_backfill_change_set AS
SELECT coalesce(max(change_set_id), 0) + 1 AS id FROM audit_log;

UPDATE lab_results
SET normalised_value = (SELECT b.normalised_value FROM lab_backfill b WHERE b.id = lab_results.id),
    normalised_unit = (SELECT b.normalised_unit FROM lab_backfill b WHERE b.id = lab_results.id),
    row_version = row_version + 1,
    updated_at = strftime('%Y-%m-%d %H:%M:%f', 'now'),
    updated_by = 1
WHERE id IN (SELECT id FROM lab_backfill);

INSERT INTO audit_log (change_set_id, user_id, action, table_name, record_id, patient_id,
                       field_name, old_value, new_value, reason)
SELECT s.id, 1, 'UPDATE', 'lab_results', b.id, b.patient_id, f.field_name, NULL,
       CASE f.field_name
           WHEN 'normalised_value' THEN CAST(b.normalised_value AS TEXT)
           ELSE b.normalised_unit
       END,
       'Migration 000025: normalised value computed from the value as entered'
FROM lab_backfill b
CROSS JOIN lab_backfill_change_set s
CROSS JOIN (SELECT 'normalised_value' AS field_name UNION ALL SELECT 'normalised_unit') f
ORDER BY b.id, f.field_name DESC;

DROP TABLE lab_backfill_change_set;
DROP TABLE lab_backfill;
DROP TABLE lab_unit_conversion;
