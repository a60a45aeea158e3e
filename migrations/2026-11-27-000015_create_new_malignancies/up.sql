-- New (secondary) malignancies after CAR-T, different from the treated disease: lifelong
-- surveillance, with T-cell malignancies flagged and tested for the CAR transgene and reported
-- to the manufacturer and the FDA (boxed warning, January 2024).
CREATE TABLE new_malignancies (
    id                              INTEGER PRIMARY KEY NOT NULL,
    patient_id                      INTEGER NOT NULL REFERENCES patients (id) ON DELETE RESTRICT,
    reported_in_follow_up_id        INTEGER,
    -- Date of the diagnostic pathology sample.
    diagnosis_date                  DATE NOT NULL CHECK (date(diagnosis_date) IS diagnosis_date),
    diagnosis_date_estimated        BOOLEAN NOT NULL DEFAULT 0 CHECK (diagnosis_date_estimated IN (0, 1)),
    malignancy_type                 TEXT NOT NULL
                                    CHECK (malignancy_type IN ('SKIN_BASAL', 'SKIN_SQUAMOUS', 'MELANOMA', 'AML', 'MDS', 'MPN', 'ALL', 'B_CELL_LYMPHOMA_PTLD', 'T_CELL_LYMPHOMA', 'T_CELL_LEUKAEMIA', 'SOLID', 'CLONAL_CYTOGENETIC', 'OTHER')),
    -- Organ of a solid tumour, or what an OTHER malignancy is.
    malignancy_detail               TEXT CHECK (malignancy_detail IS NULL OR length(trim(malignancy_detail)) > 0),
    t_cell_malignancy               BOOLEAN NOT NULL CHECK (t_cell_malignancy IN (0, 1)),
    ebv_positive                    TEXT CHECK (ebv_positive IN ('Y', 'N', 'UNK', 'NASK', 'NA', 'ND', 'ASKU', 'LTF', 'PREV')),
    car_transgene_tested            TEXT CHECK (car_transgene_tested IN ('Y', 'N', 'UNK', 'NASK', 'NA', 'ND', 'ASKU', 'LTF', 'PREV')),
    car_transgene_result            TEXT CHECK (car_transgene_result IN ('NOT_TESTED', 'PENDING', 'DETECTED', 'NOT_DETECTED', 'INDETERMINATE')),
    product_derived                 TEXT CHECK (product_derived IN ('Y', 'N', 'UNK', 'NASK', 'NA', 'ND', 'ASKU', 'LTF', 'PREV')),
    pathology_report_attached       BOOLEAN NOT NULL DEFAULT 0 CHECK (pathology_report_attached IN (0, 1)),
    reported_to_manufacturer_date   DATE CHECK (date(reported_to_manufacturer_date) IS reported_to_manufacturer_date),
    reported_to_manufacturer_date_estimated BOOLEAN NOT NULL DEFAULT 0
                                    CHECK (reported_to_manufacturer_date_estimated IN (0, 1)),
    reported_to_fda_date            DATE CHECK (date(reported_to_fda_date) IS reported_to_fda_date),
    reported_to_fda_date_estimated  BOOLEAN NOT NULL DEFAULT 0 CHECK (reported_to_fda_date_estimated IN (0, 1)),
    created_at                  TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                                CHECK (datetime(created_at) IS substr(created_at, 1, 19)),
    created_by                  INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    updated_at                  TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                                CHECK (datetime(updated_at) IS substr(updated_at, 1, 19)),
    updated_by                  INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    row_version                 INTEGER NOT NULL DEFAULT 1 CHECK (row_version >= 1),
    FOREIGN KEY (reported_in_follow_up_id, patient_id) REFERENCES follow_ups (id, patient_id) ON DELETE RESTRICT,
    CONSTRAINT new_malignancies_t_cell_types_flagged
        CHECK (malignancy_type NOT IN ('T_CELL_LYMPHOMA', 'T_CELL_LEUKAEMIA') OR t_cell_malignancy = 1),
    CONSTRAINT new_malignancies_detail_for_solid_and_other
        CHECK (malignancy_type NOT IN ('SOLID', 'OTHER') OR malignancy_detail IS NOT NULL),
    CONSTRAINT new_malignancies_result_only_if_tested
        CHECK (car_transgene_result IS NULL OR car_transgene_result = 'NOT_TESTED' OR car_transgene_tested = 'Y'),
    CONSTRAINT new_malignancies_reports_after_diagnosis CHECK (
        reported_to_manufacturer_date >= diagnosis_date AND reported_to_fda_date >= diagnosis_date),
    CONSTRAINT new_malignancies_estimated_needs_date CHECK (
        (reported_to_manufacturer_date IS NOT NULL OR reported_to_manufacturer_date_estimated = 0)
        AND (reported_to_fda_date IS NOT NULL OR reported_to_fda_date_estimated = 0))
);
CREATE INDEX new_malignancies_patient_id_idx ON new_malignancies (patient_id);
CREATE INDEX new_malignancies_reported_in_follow_up_id_idx
    ON new_malignancies (reported_in_follow_up_id, patient_id);
CREATE INDEX new_malignancies_created_by_idx ON new_malignancies (created_by);
CREATE INDEX new_malignancies_updated_by_idx ON new_malignancies (updated_by);

CREATE TRIGGER new_malignancies_row_version BEFORE UPDATE ON new_malignancies
WHEN NEW.row_version IS NOT OLD.row_version + 1
  OR NEW.created_at IS NOT OLD.created_at OR NEW.created_by IS NOT OLD.created_by
BEGIN
    SELECT RAISE(ABORT, 'new_malignancies: an update must set row_version = row_version + 1 and keep created_at/created_by');
END;
