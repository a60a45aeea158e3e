-- Anticancer therapy given after a CAR-T course (including transplant and a second CAR-T).
-- Intent matters for endpoints: therapy for relapse ends best-response assessment and may be an
-- event or a censoring point; consolidation does not.
CREATE TABLE subsequent_therapies (
    id                          INTEGER PRIMARY KEY NOT NULL,
    patient_id                  INTEGER NOT NULL REFERENCES patients (id) ON DELETE RESTRICT,
    -- The CAR-T course this therapy followed.
    course_id                   INTEGER NOT NULL,
    reported_in_follow_up_id    INTEGER,
    category                    TEXT NOT NULL
                                CHECK (category IN ('CHEMO_IMMUNOCHEMO', 'RADIOTHERAPY', 'BISPECIFIC', 'CAR_T_SAME_TARGET', 'CAR_T_OTHER_TARGET', 'ALLO_HCT', 'AUTO_HCT', 'TARGETED', 'IMID_PI_ANTI_CD38', 'CHECKPOINT_INHIBITOR', 'DLI', 'OTHER')),
    intent                      TEXT
                                CHECK (intent IN ('RELAPSE_PROGRESSION', 'CONSOLIDATION_MAINTENANCE', 'REINFUSION_B_CELL_RECOVERY', 'MRD_POSITIVE', 'OTHER', 'UNK', 'NASK', 'NA', 'ND', 'ASKU', 'LTF', 'PREV')),
    regimen                     TEXT,
    start_date                  DATE NOT NULL CHECK (date(start_date) IS start_date),
    start_date_estimated        BOOLEAN NOT NULL DEFAULT 0 CHECK (start_date_estimated IN (0, 1)),
    end_date                    DATE CHECK (date(end_date) IS end_date),
    end_date_estimated          BOOLEAN NOT NULL DEFAULT 0 CHECK (end_date_estimated IN (0, 1)),
    -- Best response to this therapy (CIBMTR best-response codes).
    best_response               TEXT CHECK (best_response IN ('CCR', 'CR', 'PR', 'NR', 'NE', 'PD', 'UNK', 'NASK', 'NA', 'ND', 'ASKU', 'LTF', 'PREV')),
    created_at                  TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                                CHECK (datetime(created_at) IS substr(created_at, 1, 19)),
    created_by                  INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    updated_at                  TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                                CHECK (datetime(updated_at) IS substr(updated_at, 1, 19)),
    updated_by                  INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    row_version                 INTEGER NOT NULL DEFAULT 1 CHECK (row_version >= 1),
    FOREIGN KEY (course_id, patient_id) REFERENCES treatment_courses (id, patient_id) ON DELETE RESTRICT,
    FOREIGN KEY (reported_in_follow_up_id, patient_id) REFERENCES follow_ups (id, patient_id) ON DELETE RESTRICT,
    CONSTRAINT subsequent_therapies_end_after_start CHECK (end_date >= start_date),
    CONSTRAINT subsequent_therapies_estimated_needs_date CHECK (end_date IS NOT NULL OR end_date_estimated = 0)
);
CREATE INDEX subsequent_therapies_patient_id_idx ON subsequent_therapies (patient_id);
CREATE INDEX subsequent_therapies_course_id_idx ON subsequent_therapies (course_id, patient_id);
CREATE INDEX subsequent_therapies_reported_in_follow_up_id_idx
    ON subsequent_therapies (reported_in_follow_up_id, patient_id);
CREATE INDEX subsequent_therapies_created_by_idx ON subsequent_therapies (created_by);
CREATE INDEX subsequent_therapies_updated_by_idx ON subsequent_therapies (updated_by);

CREATE TRIGGER subsequent_therapies_row_version BEFORE UPDATE ON subsequent_therapies
WHEN NEW.row_version IS NOT OLD.row_version + 1
  OR NEW.created_at IS NOT OLD.created_at OR NEW.created_by IS NOT OLD.created_by
BEGIN
    SELECT RAISE(ABORT, 'subsequent_therapies: an update must set row_version = row_version + 1 and keep created_at/created_by');
END;
