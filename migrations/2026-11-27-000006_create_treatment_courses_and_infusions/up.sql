-- A CAR-T treatment course (one apheresis and one manufactured product for one indication) and
-- its infusions. The first infusion's date is Day 0 of the course. A re-infusion (e.g. for loss
-- of B-cell aplasia) stays in the same course with the next infusion_number. A course may have no
-- infusion at all (manufacturing failure, death or progression before infusion): intention-to-treat
-- analyses count it.
CREATE TABLE treatment_courses (
    id                              INTEGER PRIMARY KEY NOT NULL,
    patient_id                      INTEGER NOT NULL REFERENCES patients (id) ON DELETE RESTRICT,
    diagnosis_id                    INTEGER NOT NULL,
    course_number                   INTEGER NOT NULL CHECK (course_number >= 1),
    product                         TEXT NOT NULL
                                    CHECK (product IN ('TISA_CEL', 'AXI_CEL', 'BREXU_CEL', 'LISO_CEL', 'IDE_CEL', 'CILTA_CEL', 'OBE_CEL', 'AFAMI_CEL', 'ARI_0001', 'RELMA_CEL', 'INVESTIGATIONAL')),
    -- Name and target antigen of an INVESTIGATIONAL product (target antigen, costimulation and
    -- vector of the listed products are known from the product itself).
    investigational_product_name    TEXT
                                    CHECK (investigational_product_name IS NULL OR length(trim(investigational_product_name)) > 0),
    investigational_target          TEXT CHECK (investigational_target IN ('CD19', 'BCMA', 'MAGEA4', 'OTHER')),
    -- Commercial, commercial released out of specification (e.g. viability below 80%), or
    -- investigational (clinical trial).
    product_class                   TEXT NOT NULL CHECK (product_class IN ('COMMERCIAL', 'OOS', 'INVESTIGATIONAL')),
    trial_id                        TEXT CHECK (trial_id IS NULL OR length(trim(trial_id)) > 0),
    batch_number                    TEXT,
    apheresis_date                  DATE CHECK (date(apheresis_date) IS apheresis_date),
    apheresis_date_estimated        BOOLEAN NOT NULL DEFAULT 0 CHECK (apheresis_date_estimated IN (0, 1)),
    bridging_therapy                TEXT
                                    CHECK (bridging_therapy IN ('NONE', 'CHEMO', 'RT', 'STEROIDS', 'TARGETED', 'OTHER', 'UNK', 'NASK', 'NA', 'ND', 'ASKU', 'LTF', 'PREV')),
    -- The regimen given (required for OTHER).
    bridging_regimen                TEXT CHECK (bridging_regimen IS NULL OR length(trim(bridging_regimen)) > 0),
    bridging_start_date             DATE CHECK (date(bridging_start_date) IS bridging_start_date),
    bridging_start_date_estimated   BOOLEAN NOT NULL DEFAULT 0 CHECK (bridging_start_date_estimated IN (0, 1)),
    bridging_end_date               DATE CHECK (date(bridging_end_date) IS bridging_end_date),
    bridging_end_date_estimated     BOOLEAN NOT NULL DEFAULT 0 CHECK (bridging_end_date_estimated IN (0, 1)),
    -- Why a course has no infusion; NULL while an infusion is expected or has happened.
    not_infused_reason              TEXT
                                    CHECK (not_infused_reason IN ('MANUFACTURING_FAILURE', 'DEATH', 'PROGRESSION', 'PATIENT_DECISION', 'OTHER', 'UNK')),
    created_at                      TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                                    CHECK (datetime(created_at) IS substr(created_at, 1, 19)),
    created_by                      INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    updated_at                      TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                                    CHECK (datetime(updated_at) IS substr(updated_at, 1, 19)),
    updated_by                      INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    row_version                     INTEGER NOT NULL DEFAULT 1 CHECK (row_version >= 1),
    FOREIGN KEY (diagnosis_id, patient_id) REFERENCES diagnoses (id, patient_id) ON DELETE RESTRICT,
    CONSTRAINT treatment_courses_number_unique UNIQUE (patient_id, course_number),
    CONSTRAINT treatment_courses_id_patient_id_unique UNIQUE (id, patient_id),
    CONSTRAINT treatment_courses_investigational_product_named CHECK (
        (product = 'INVESTIGATIONAL')
        = (investigational_product_name IS NOT NULL AND investigational_target IS NOT NULL)),
    CONSTRAINT treatment_courses_investigational_product_in_trial
        CHECK (product <> 'INVESTIGATIONAL' OR product_class = 'INVESTIGATIONAL'),
    CONSTRAINT treatment_courses_bridging_details_only_if_bridged CHECK (
        bridging_therapy IN ('CHEMO', 'RT', 'STEROIDS', 'TARGETED', 'OTHER')
        OR (bridging_start_date IS NULL AND bridging_end_date IS NULL AND bridging_regimen IS NULL)),
    CONSTRAINT treatment_courses_other_bridging_named
        CHECK (bridging_therapy <> 'OTHER' OR bridging_regimen IS NOT NULL),
    CONSTRAINT treatment_courses_bridging_after_apheresis
        CHECK (bridging_start_date >= apheresis_date),
    CONSTRAINT treatment_courses_bridging_end_after_start
        CHECK (bridging_end_date >= bridging_start_date),
    CONSTRAINT treatment_courses_estimated_needs_date CHECK (
        (apheresis_date IS NOT NULL OR apheresis_date_estimated = 0)
        AND (bridging_start_date IS NOT NULL OR bridging_start_date_estimated = 0)
        AND (bridging_end_date IS NOT NULL OR bridging_end_date_estimated = 0))
);
CREATE INDEX treatment_courses_diagnosis_id_idx ON treatment_courses (diagnosis_id, patient_id);
CREATE INDEX treatment_courses_created_by_idx ON treatment_courses (created_by);
CREATE INDEX treatment_courses_updated_by_idx ON treatment_courses (updated_by);

CREATE TABLE infusions (
    id                                  INTEGER PRIMARY KEY NOT NULL,
    course_id                           INTEGER NOT NULL,
    patient_id                          INTEGER NOT NULL REFERENCES patients (id) ON DELETE RESTRICT,
    infusion_number                     INTEGER NOT NULL CHECK (infusion_number >= 1),
    lymphodepletion_regimen             TEXT NOT NULL
                                        CHECK (lymphodepletion_regimen IN ('FLU_CY', 'BENDA', 'CY', 'OTHER', 'NONE', 'UNK', 'NASK', 'NA', 'ND', 'ASKU', 'LTF', 'PREV')),
    lymphodepletion_start_date          DATE CHECK (date(lymphodepletion_start_date) IS lymphodepletion_start_date),
    lymphodepletion_start_date_estimated BOOLEAN NOT NULL DEFAULT 0
                                        CHECK (lymphodepletion_start_date_estimated IN (0, 1)),
    lymphodepletion_end_date            DATE CHECK (date(lymphodepletion_end_date) IS lymphodepletion_end_date),
    lymphodepletion_end_date_estimated  BOOLEAN NOT NULL DEFAULT 0
                                        CHECK (lymphodepletion_end_date_estimated IN (0, 1)),
    -- Day 0 (the first day, if the infusion spans several).
    infusion_date                       DATE NOT NULL CHECK (date(infusion_date) IS infusion_date),
    infusion_date_estimated             BOOLEAN NOT NULL DEFAULT 0 CHECK (infusion_date_estimated IN (0, 1)),
    -- Viable CAR+ T cells per kilogram of body weight (CELLS_PER_KG) or in total (CELLS_TOTAL).
    dose                                DOUBLE CHECK (dose IS NULL OR (typeof(dose) IN ('real', 'integer') AND dose > 0)),
    dose_unit                           TEXT CHECK (dose_unit IN ('CELLS_PER_KG', 'CELLS_TOTAL')),
    entire_volume_infused               TEXT CHECK (entire_volume_infused IN ('Y', 'N', 'UNK', 'NASK', 'NA', 'ND', 'ASKU', 'LTF', 'PREV')),
    route                               TEXT NOT NULL DEFAULT 'IV' CHECK (route IN ('IV', 'IT', 'OTHER')),
    care_setting                        TEXT CHECK (care_setting IN ('INPATIENT', 'OUTPATIENT')),
    admission_date                      DATE CHECK (date(admission_date) IS admission_date),
    admission_date_estimated            BOOLEAN NOT NULL DEFAULT 0 CHECK (admission_date_estimated IN (0, 1)),
    discharge_date                      DATE CHECK (date(discharge_date) IS discharge_date),
    discharge_date_estimated            BOOLEAN NOT NULL DEFAULT 0 CHECK (discharge_date_estimated IN (0, 1)),
    -- ECOG performance status just before infusion (0-4).
    ecog_pre_infusion                   INTEGER CHECK (ecog_pre_infusion BETWEEN 0 AND 4),
    created_at                          TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                                        CHECK (datetime(created_at) IS substr(created_at, 1, 19)),
    created_by                          INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    updated_at                          TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                                        CHECK (datetime(updated_at) IS substr(updated_at, 1, 19)),
    updated_by                          INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    row_version                         INTEGER NOT NULL DEFAULT 1 CHECK (row_version >= 1),
    FOREIGN KEY (course_id, patient_id) REFERENCES treatment_courses (id, patient_id) ON DELETE RESTRICT,
    CONSTRAINT infusions_number_unique UNIQUE (course_id, infusion_number),
    CONSTRAINT infusions_dose_has_unit CHECK ((dose IS NULL) = (dose_unit IS NULL)),
    CONSTRAINT infusions_no_lymphodepletion_no_dates
        CHECK (lymphodepletion_regimen <> 'NONE'
               OR (lymphodepletion_start_date IS NULL AND lymphodepletion_end_date IS NULL)),
    CONSTRAINT infusions_lymphodepletion_end_after_start
        CHECK (lymphodepletion_end_date >= lymphodepletion_start_date),
    CONSTRAINT infusions_lymphodepletion_before_infusion
        CHECK (lymphodepletion_start_date <= infusion_date
               AND lymphodepletion_end_date <= infusion_date),
    CONSTRAINT infusions_discharge_after_admission CHECK (discharge_date >= admission_date),
    CONSTRAINT infusions_estimated_needs_date CHECK (
        (lymphodepletion_start_date IS NOT NULL OR lymphodepletion_start_date_estimated = 0)
        AND (lymphodepletion_end_date IS NOT NULL OR lymphodepletion_end_date_estimated = 0)
        AND (admission_date IS NOT NULL OR admission_date_estimated = 0)
        AND (discharge_date IS NOT NULL OR discharge_date_estimated = 0))
);
CREATE INDEX infusions_course_id_idx ON infusions (course_id, patient_id);
CREATE INDEX infusions_patient_id_idx ON infusions (patient_id);
CREATE INDEX infusions_created_by_idx ON infusions (created_by);
CREATE INDEX infusions_updated_by_idx ON infusions (updated_by);

-- Apheresis precedes lymphodepletion and infusion. The dates live on two rows (course and
-- infusion), so triggers keep them in order from both sides.
CREATE TRIGGER infusions_after_apheresis_insert BEFORE INSERT ON infusions
WHEN (SELECT apheresis_date FROM treatment_courses WHERE id = NEW.course_id)
     > coalesce(NEW.lymphodepletion_start_date, NEW.infusion_date)
BEGIN
    SELECT RAISE(ABORT, 'infusions: lymphodepletion and infusion cannot precede the course''s apheresis date');
END;

CREATE TRIGGER infusions_after_apheresis_update
BEFORE UPDATE OF course_id, lymphodepletion_start_date, infusion_date ON infusions
WHEN (SELECT apheresis_date FROM treatment_courses WHERE id = NEW.course_id)
     > coalesce(NEW.lymphodepletion_start_date, NEW.infusion_date)
BEGIN
    SELECT RAISE(ABORT, 'infusions: lymphodepletion and infusion cannot precede the course''s apheresis date');
END;

CREATE TRIGGER treatment_courses_apheresis_before_infusions
BEFORE UPDATE OF apheresis_date ON treatment_courses
WHEN EXISTS (SELECT 1 FROM infusions
             WHERE course_id = NEW.id
               AND coalesce(lymphodepletion_start_date, infusion_date) < NEW.apheresis_date)
BEGIN
    SELECT RAISE(ABORT, 'treatment_courses: apheresis cannot follow the course''s lymphodepletion or infusion');
END;

CREATE TRIGGER treatment_courses_row_version BEFORE UPDATE ON treatment_courses
WHEN NEW.row_version IS NOT OLD.row_version + 1
  OR NEW.created_at IS NOT OLD.created_at OR NEW.created_by IS NOT OLD.created_by
BEGIN
    SELECT RAISE(ABORT, 'treatment_courses: an update must set row_version = row_version + 1 and keep created_at/created_by');
END;

CREATE TRIGGER infusions_row_version BEFORE UPDATE ON infusions
WHEN NEW.row_version IS NOT OLD.row_version + 1
  OR NEW.created_at IS NOT OLD.created_at OR NEW.created_by IS NOT OLD.created_by
BEGIN
    SELECT RAISE(ABORT, 'infusions: an update must set row_version = row_version + 1 and keep created_at/created_by');
END;
