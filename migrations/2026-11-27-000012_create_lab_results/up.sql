-- Laboratory results: immunoglobulins, B cells, blood counts, inflammatory markers (one row per
-- sample and analyte). The value is kept as entered with its unit, and normalised to the
-- analyte's reporting unit (IgG in mg/dL). A value may instead be missing with a code (ND, ...).
-- An IgG drawn within 30 days after immunoglobulin replacement is not native IgG: flagged.
CREATE TABLE lab_results (
    id                          INTEGER PRIMARY KEY NOT NULL,
    patient_id                  INTEGER NOT NULL REFERENCES patients (id) ON DELETE RESTRICT,
    reported_in_follow_up_id    INTEGER,
    sample_date                 DATE NOT NULL CHECK (date(sample_date) IS sample_date),
    sample_date_estimated       BOOLEAN NOT NULL DEFAULT 0 CHECK (sample_date_estimated IN (0, 1)),
    analyte                     TEXT NOT NULL
                                CHECK (analyte IN ('IGG', 'IGA', 'IGM', 'CD19_ABS', 'CD19_PCT', 'CD20_ABS', 'CD4_ABS', 'ANC', 'ALC', 'WBC', 'HB', 'PLATELETS', 'FERRITIN', 'CRP', 'IL6', 'IFN_GAMMA', 'SIL2RA', 'LDH')),
    value                       DOUBLE CHECK (value IS NULL OR typeof(value) IN ('real', 'integer')),
    unit                        TEXT
                                CHECK (unit IN ('MG_DL', 'G_L', 'CELLS_PER_UL', 'PCT', 'X10E9_PER_L', 'G_DL', 'NG_ML', 'MG_L', 'PG_ML', 'IU_ML', 'U_ML', 'U_L')),
    -- Why there is no value (ND not done, UNK unknown, ...).
    value_missing               TEXT CHECK (value_missing IN ('UNK', 'NASK', 'NA', 'ND', 'ASKU', 'LTF', 'PREV')),
    normalised_value            DOUBLE CHECK (normalised_value IS NULL OR typeof(normalised_value) IN ('real', 'integer')),
    normalised_unit             TEXT
                                CHECK (normalised_unit IN ('MG_DL', 'G_L', 'CELLS_PER_UL', 'PCT', 'X10E9_PER_L', 'G_DL', 'NG_ML', 'MG_L', 'PG_ML', 'IU_ML', 'U_ML', 'U_L')),
    -- Immunoglobulin replacement in the 30 days before the sample (IgG then not native).
    ivig_within_30_days         TEXT CHECK (ivig_within_30_days IN ('Y', 'N', 'UNK', 'NASK', 'NA', 'ND', 'ASKU', 'LTF', 'PREV')),
    -- Transfusions before a blood count: red cells within 30 days, platelets within 7 days.
    rbc_transfusion_within_30_days     TEXT CHECK (rbc_transfusion_within_30_days IN ('Y', 'N', 'UNK', 'NASK', 'NA', 'ND', 'ASKU', 'LTF', 'PREV')),
    platelet_transfusion_within_7_days TEXT CHECK (platelet_transfusion_within_7_days IN ('Y', 'N', 'UNK', 'NASK', 'NA', 'ND', 'ASKU', 'LTF', 'PREV')),
    created_at                  TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                                CHECK (datetime(created_at) IS substr(created_at, 1, 19)),
    created_by                  INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    updated_at                  TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                                CHECK (datetime(updated_at) IS substr(updated_at, 1, 19)),
    updated_by                  INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    row_version                 INTEGER NOT NULL DEFAULT 1 CHECK (row_version >= 1),
    FOREIGN KEY (reported_in_follow_up_id, patient_id) REFERENCES follow_ups (id, patient_id) ON DELETE RESTRICT,
    CONSTRAINT lab_results_value_or_missing_code CHECK ((value IS NULL) <> (value_missing IS NULL)),
    CONSTRAINT lab_results_value_has_unit CHECK ((value IS NULL) = (unit IS NULL)),
    CONSTRAINT lab_results_normalised_has_unit CHECK ((normalised_value IS NULL) = (normalised_unit IS NULL)),
    CONSTRAINT lab_results_normalised_needs_value CHECK (normalised_value IS NULL OR value IS NOT NULL)
);
CREATE INDEX lab_results_patient_id_idx ON lab_results (patient_id, analyte, sample_date);
CREATE INDEX lab_results_reported_in_follow_up_id_idx
    ON lab_results (reported_in_follow_up_id, patient_id);
CREATE INDEX lab_results_created_by_idx ON lab_results (created_by);
CREATE INDEX lab_results_updated_by_idx ON lab_results (updated_by);

CREATE TRIGGER lab_results_row_version BEFORE UPDATE ON lab_results
WHEN NEW.row_version IS NOT OLD.row_version + 1
  OR NEW.created_at IS NOT OLD.created_at OR NEW.created_by IS NOT OLD.created_by
BEGIN
    SELECT RAISE(ABORT, 'lab_results: an update must set row_version = row_version + 1 and keep created_at/created_by');
END;
