-- Back to a unit tied to the value: the LLOQ (and unit) of a result with no value is dropped.
-- Rows aside, the table and its trigger dropped and made again, rows back.
CREATE TABLE persistence_tests_rows AS SELECT * FROM persistence_tests;
DROP TRIGGER persistence_tests_row_version;
DROP TABLE persistence_tests;
CREATE TABLE persistence_tests (
    id                          INTEGER PRIMARY KEY NOT NULL,
    patient_id                  INTEGER NOT NULL REFERENCES patients (id) ON DELETE RESTRICT,
    course_id                   INTEGER NOT NULL,
    reported_in_follow_up_id    INTEGER,
    sample_date                 DATE NOT NULL CHECK (date(sample_date) IS sample_date),
    sample_date_estimated       BOOLEAN NOT NULL DEFAULT 0 CHECK (sample_date_estimated IN (0, 1)),
    specimen                    TEXT NOT NULL CHECK (specimen IN ('PB', 'BM', 'TUMOUR', 'CSF', 'OTHER')),
    method                      TEXT NOT NULL CHECK (method IN ('QPCR_TRANSGENE', 'DDPCR', 'FLOW_CAR', 'IHC', 'OTHER')),
    detected                    TEXT NOT NULL CHECK (detected IN ('Y', 'N', 'UNK', 'NASK', 'NA', 'ND', 'ASKU', 'LTF', 'PREV')),
    value                       DOUBLE CHECK (value IS NULL OR (typeof(value) IN ('real', 'integer') AND value >= 0)),
    unit                        TEXT CHECK (unit IN ('COPIES_PER_UG_GDNA', 'COPIES_PER_UL_BLOOD', 'CAR_CELLS_PER_UL', 'PCT_OF_CD3')),
    -- Detected but below the lower limit of quantification.
    below_lloq                  BOOLEAN NOT NULL DEFAULT 0 CHECK (below_lloq IN (0, 1)),
    lloq                        DOUBLE CHECK (lloq IS NULL OR (typeof(lloq) IN ('real', 'integer') AND lloq > 0)),
    laboratory                  TEXT,
    created_at                  TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                                CHECK (datetime(created_at) IS substr(created_at, 1, 19)),
    created_by                  INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    updated_at                  TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                                CHECK (datetime(updated_at) IS substr(updated_at, 1, 19)),
    updated_by                  INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    row_version                 INTEGER NOT NULL DEFAULT 1 CHECK (row_version >= 1),
    FOREIGN KEY (course_id, patient_id) REFERENCES treatment_courses (id, patient_id) ON DELETE RESTRICT,
    FOREIGN KEY (reported_in_follow_up_id, patient_id) REFERENCES follow_ups (id, patient_id) ON DELETE RESTRICT,
    CONSTRAINT persistence_tests_value_has_unit CHECK ((value IS NULL) = (unit IS NULL)),
    CONSTRAINT persistence_tests_lloq_has_unit CHECK (lloq IS NULL OR unit IS NOT NULL),
    CONSTRAINT persistence_tests_below_lloq_means_detected CHECK (below_lloq = 0 OR detected = 'Y')
);
INSERT INTO persistence_tests (id, patient_id, course_id, reported_in_follow_up_id, sample_date, sample_date_estimated, specimen, method, detected, value, unit, below_lloq, lloq, laboratory, created_at, created_by, updated_at, updated_by, row_version)
    SELECT id, patient_id, course_id, reported_in_follow_up_id, sample_date, sample_date_estimated, specimen, method, detected, value, CASE WHEN value IS NULL THEN NULL ELSE unit END, below_lloq,
           CASE WHEN value IS NULL THEN NULL ELSE lloq END, laboratory, created_at, created_by, updated_at, updated_by, row_version FROM persistence_tests_rows;
DROP TABLE persistence_tests_rows;
CREATE INDEX persistence_tests_patient_id_idx ON persistence_tests (patient_id);
CREATE INDEX persistence_tests_course_id_idx ON persistence_tests (course_id, patient_id);
CREATE INDEX persistence_tests_reported_in_follow_up_id_idx
    ON persistence_tests (reported_in_follow_up_id, patient_id);
CREATE INDEX persistence_tests_created_by_idx ON persistence_tests (created_by);
CREATE INDEX persistence_tests_updated_by_idx ON persistence_tests (updated_by);

CREATE TRIGGER persistence_tests_row_version BEFORE UPDATE ON persistence_tests
WHEN NEW.row_version IS NOT OLD.row_version + 1
  OR NEW.created_at IS NOT OLD.created_at OR NEW.created_by IS NOT OLD.created_by
BEGIN
    SELECT RAISE(ABORT, 'persistence_tests: an update must set row_version = row_version + 1 and keep created_at/created_by');
END;
