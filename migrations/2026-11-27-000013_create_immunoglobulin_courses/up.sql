-- Immunoglobulin replacement: one row per course (a single infusion is a course whose stop
-- date is its start date). IVIG and SCIG both count as "IVIG" for CIBMTR.
CREATE TABLE immunoglobulin_courses (
    id                          INTEGER PRIMARY KEY NOT NULL,
    patient_id                  INTEGER NOT NULL REFERENCES patients (id) ON DELETE RESTRICT,
    reported_in_follow_up_id    INTEGER,
    start_date                  DATE NOT NULL CHECK (date(start_date) IS start_date),
    start_date_estimated        BOOLEAN NOT NULL DEFAULT 0 CHECK (start_date_estimated IN (0, 1)),
    stop_date                   DATE CHECK (date(stop_date) IS stop_date),
    stop_date_estimated         BOOLEAN NOT NULL DEFAULT 0 CHECK (stop_date_estimated IN (0, 1)),
    ongoing                     BOOLEAN NOT NULL DEFAULT 0 CHECK (ongoing IN (0, 1)),
    -- Intravenous (IVIG) or subcutaneous (SCIG) immunoglobulin.
    route                       TEXT NOT NULL CHECK (route IN ('IVIG', 'SCIG')),
    product_name                TEXT,
    -- Dose per administration: grams, and/or mg per kg.
    dose_g                      DOUBLE CHECK (dose_g IS NULL OR (typeof(dose_g) IN ('real', 'integer') AND dose_g > 0)),
    dose_mg_per_kg              DOUBLE CHECK (dose_mg_per_kg IS NULL OR (typeof(dose_mg_per_kg) IN ('real', 'integer') AND dose_mg_per_kg > 0)),
    interval_days               INTEGER CHECK (interval_days BETWEEN 1 AND 365),
    indication                  TEXT
                                CHECK (indication IN ('HYPOGAMMAGLOBULINAEMIA', 'RECURRENT_INFECTION', 'PROPHYLAXIS', 'OTHER', 'UNK', 'NASK', 'NA', 'ND', 'ASKU', 'LTF', 'PREV')),
    created_at                  TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                                CHECK (datetime(created_at) IS substr(created_at, 1, 19)),
    created_by                  INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    updated_at                  TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                                CHECK (datetime(updated_at) IS substr(updated_at, 1, 19)),
    updated_by                  INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    row_version                 INTEGER NOT NULL DEFAULT 1 CHECK (row_version >= 1),
    FOREIGN KEY (reported_in_follow_up_id, patient_id) REFERENCES follow_ups (id, patient_id) ON DELETE RESTRICT,
    CONSTRAINT immunoglobulin_courses_stop_after_start CHECK (stop_date >= start_date),
    CONSTRAINT immunoglobulin_courses_ongoing_not_stopped CHECK (ongoing = 0 OR stop_date IS NULL),
    CONSTRAINT immunoglobulin_courses_estimated_needs_date
        CHECK (stop_date IS NOT NULL OR stop_date_estimated = 0)
);
CREATE INDEX immunoglobulin_courses_patient_id_idx ON immunoglobulin_courses (patient_id);
CREATE INDEX immunoglobulin_courses_reported_in_follow_up_id_idx
    ON immunoglobulin_courses (reported_in_follow_up_id, patient_id);
CREATE INDEX immunoglobulin_courses_created_by_idx ON immunoglobulin_courses (created_by);
CREATE INDEX immunoglobulin_courses_updated_by_idx ON immunoglobulin_courses (updated_by);

CREATE TRIGGER immunoglobulin_courses_row_version BEFORE UPDATE ON immunoglobulin_courses
WHEN NEW.row_version IS NOT OLD.row_version + 1
  OR NEW.created_at IS NOT OLD.created_at OR NEW.created_by IS NOT OLD.created_by
BEGIN
    SELECT RAISE(ABORT, 'immunoglobulin_courses: an update must set row_version = row_version + 1 and keep created_at/created_by');
END;
