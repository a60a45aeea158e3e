-- The indication for CAR-T: disease and subtype, pathological diagnosis date, prior therapy,
-- refractoriness and prior transplant (CIBMTR 2402/4000). Usually one row per patient; a second
-- indication (e.g. a transformation treated with a second course) is a second row.
CREATE TABLE diagnoses (
    id                          INTEGER PRIMARY KEY NOT NULL,
    patient_id                  INTEGER NOT NULL REFERENCES patients (id) ON DELETE RESTRICT,
    -- Subtype-level code (domain::diagnosis::Disease); the disease group is derived from it.
    disease                     TEXT NOT NULL
                                CHECK (disease IN ('DLBCL_NOS', 'HGBCL_DH_TH', 'TFL', 'PMBCL', 'FL3B', 'THRLBCL', 'LBCL_OTHER', 'FL', 'MCL', 'BALL', 'CLL_SLL', 'MM', 'OTHER')),
    -- What an OTHER disease is.
    disease_other               TEXT CHECK (disease_other IS NULL OR length(trim(disease_other)) > 0),
    -- Date of the diagnostic pathology sample, not of first symptoms.
    diagnosis_date              DATE NOT NULL CHECK (date(diagnosis_date) IS diagnosis_date),
    diagnosis_date_estimated    BOOLEAN NOT NULL DEFAULT 0 CHECK (diagnosis_date_estimated IN (0, 1)),
    stage                       TEXT,
    -- International Prognostic Index (lymphoma), 0-5.
    ipi_score                   INTEGER CHECK (ipi_score BETWEEN 0 AND 5),
    -- Revised ISS stage (myeloma).
    riss_stage                  TEXT CHECK (riss_stage IN ('I', 'II', 'III', 'UNK', 'NASK', 'NA', 'ND', 'ASKU', 'LTF', 'PREV')),
    high_risk_cytogenetics      TEXT CHECK (high_risk_cytogenetics IN ('Y', 'N', 'UNK', 'NASK', 'NA', 'ND', 'ASKU', 'LTF', 'PREV')),
    extramedullary_disease      TEXT CHECK (extramedullary_disease IN ('Y', 'N', 'UNK', 'NASK', 'NA', 'ND', 'ASKU', 'LTF', 'PREV')),
    cns_involvement             TEXT CHECK (cns_involvement IN ('Y', 'N', 'UNK', 'NASK', 'NA', 'ND', 'ASKU', 'LTF', 'PREV')),
    prior_lines_count           INTEGER CHECK (prior_lines_count BETWEEN 0 AND 30),
    refractory_status           TEXT
                                CHECK (refractory_status IN ('PRIMARY_REFRACTORY', 'RELAPSED_LE12M', 'RELAPSED_GT12M', 'REFRACTORY_LAST', 'TRIPLE_CLASS', 'PENTA_DRUG', 'UNK', 'NASK', 'NA', 'ND', 'ASKU', 'LTF', 'PREV')),
    prior_hct                   TEXT NOT NULL
                                CHECK (prior_hct IN ('NONE', 'AUTO', 'ALLO', 'AUTO_ALLO', 'UNK', 'NASK', 'NA', 'ND', 'ASKU', 'LTF', 'PREV')),
    -- Date of the most recent prior transplant.
    prior_hct_date              DATE CHECK (date(prior_hct_date) IS prior_hct_date),
    prior_hct_date_estimated    BOOLEAN NOT NULL DEFAULT 0 CHECK (prior_hct_date_estimated IN (0, 1)),
    -- Prior CAR-T, or other therapy against the same target (CD19 / BCMA).
    prior_car_t                 TEXT CHECK (prior_car_t IN ('Y', 'N', 'UNK', 'NASK', 'NA', 'ND', 'ASKU', 'LTF', 'PREV')),
    prior_same_target_therapy   TEXT CHECK (prior_same_target_therapy IN ('Y', 'N', 'UNK', 'NASK', 'NA', 'ND', 'ASKU', 'LTF', 'PREV')),
    created_at                  TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                                CHECK (datetime(created_at) IS substr(created_at, 1, 19)),
    created_by                  INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    updated_at                  TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                                CHECK (datetime(updated_at) IS substr(updated_at, 1, 19)),
    updated_by                  INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    row_version                 INTEGER NOT NULL DEFAULT 1 CHECK (row_version >= 1),
    -- Lets children name (diagnosis, patient) together, so a course cannot cite another
    -- patient's diagnosis.
    CONSTRAINT diagnoses_id_patient_id_unique UNIQUE (id, patient_id),
    CONSTRAINT diagnoses_other_disease_named CHECK ((disease = 'OTHER') = (disease_other IS NOT NULL)),
    CONSTRAINT diagnoses_prior_hct_dated
        CHECK (prior_hct_date IS NULL OR prior_hct IN ('AUTO', 'ALLO', 'AUTO_ALLO')),
    CONSTRAINT diagnoses_hct_after_diagnosis
        CHECK (prior_hct_date IS NULL OR prior_hct_date >= diagnosis_date),
    CONSTRAINT diagnoses_estimated_needs_date
        CHECK (prior_hct_date IS NOT NULL OR prior_hct_date_estimated = 0)
);
CREATE INDEX diagnoses_patient_id_idx ON diagnoses (patient_id);
CREATE INDEX diagnoses_created_by_idx ON diagnoses (created_by);
CREATE INDEX diagnoses_updated_by_idx ON diagnoses (updated_by);

CREATE TRIGGER diagnoses_row_version BEFORE UPDATE ON diagnoses
WHEN NEW.row_version IS NOT OLD.row_version + 1
  OR NEW.created_at IS NOT OLD.created_at OR NEW.created_by IS NOT OLD.created_by
BEGIN
    SELECT RAISE(ABORT, 'diagnoses: an update must set row_version = row_version + 1 and keep created_at/created_by');
END;
