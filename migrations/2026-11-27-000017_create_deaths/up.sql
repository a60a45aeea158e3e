-- Deaths: one per patient, with the date, one primary cause and any contributing causes
-- (death_contributing_causes), and the autopsy status (CIBMTR 2900).
CREATE TABLE deaths (
    id                          INTEGER PRIMARY KEY NOT NULL,
    patient_id                  INTEGER NOT NULL UNIQUE REFERENCES patients (id) ON DELETE RESTRICT,
    reported_in_follow_up_id    INTEGER,
    death_date                  DATE NOT NULL CHECK (date(death_date) IS death_date),
    death_date_estimated        BOOLEAN NOT NULL DEFAULT 0 CHECK (death_date_estimated IN (0, 1)),
    primary_cause               TEXT NOT NULL CHECK (primary_cause IN ('DISEASE', 'CRS', 'ICANS', 'IEC_HS', 'CELLULAR_THERAPY_OTHER', 'INFECTION_BACTERIAL', 'INFECTION_VIRAL', 'INFECTION_FUNGAL', 'INFECTION_PARASITIC', 'INFECTION_UNKNOWN', 'PULMONARY', 'CARDIAC', 'ORGAN_FAILURE', 'HAEMORRHAGE', 'AGVHD', 'CGVHD', 'GRAFT_FAILURE', 'NEW_MALIGNANCY', 'ACCIDENT_SUICIDE', 'OTHER', 'UNK', 'NASK', 'NA', 'ND', 'ASKU', 'LTF', 'PREV')),
    -- What an OTHER primary cause is.
    primary_cause_other         TEXT CHECK (primary_cause_other IS NULL OR length(trim(primary_cause_other)) > 0),
    autopsy                     TEXT CHECK (autopsy IN ('Y', 'N', 'PENDING', 'UNK', 'NASK', 'NA', 'ND', 'ASKU', 'LTF', 'PREV')),
    autopsy_report_attached     BOOLEAN NOT NULL DEFAULT 0 CHECK (autopsy_report_attached IN (0, 1)),
    created_at                  TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                                CHECK (datetime(created_at) IS substr(created_at, 1, 19)),
    created_by                  INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    updated_at                  TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                                CHECK (datetime(updated_at) IS substr(updated_at, 1, 19)),
    updated_by                  INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    row_version                 INTEGER NOT NULL DEFAULT 1 CHECK (row_version >= 1),
    FOREIGN KEY (reported_in_follow_up_id, patient_id) REFERENCES follow_ups (id, patient_id) ON DELETE RESTRICT,
    CONSTRAINT deaths_other_cause_named CHECK (primary_cause <> 'OTHER' OR primary_cause_other IS NOT NULL),
    CONSTRAINT deaths_report_needs_autopsy CHECK (autopsy_report_attached = 0 OR autopsy = 'Y')
);
CREATE INDEX deaths_reported_in_follow_up_id_idx ON deaths (reported_in_follow_up_id, patient_id);
CREATE INDEX deaths_created_by_idx ON deaths (created_by);
CREATE INDEX deaths_updated_by_idx ON deaths (updated_by);

-- Causes that contributed to a death besides the primary one.
CREATE TABLE death_contributing_causes (
    id                          INTEGER PRIMARY KEY NOT NULL,
    death_id                    INTEGER NOT NULL REFERENCES deaths (id) ON DELETE RESTRICT,
    cause                       TEXT NOT NULL CHECK (cause IN ('DISEASE', 'CRS', 'ICANS', 'IEC_HS', 'CELLULAR_THERAPY_OTHER', 'INFECTION_BACTERIAL', 'INFECTION_VIRAL', 'INFECTION_FUNGAL', 'INFECTION_PARASITIC', 'INFECTION_UNKNOWN', 'PULMONARY', 'CARDIAC', 'ORGAN_FAILURE', 'HAEMORRHAGE', 'AGVHD', 'CGVHD', 'GRAFT_FAILURE', 'NEW_MALIGNANCY', 'ACCIDENT_SUICIDE', 'OTHER')),
    cause_other                 TEXT CHECK (cause_other IS NULL OR length(trim(cause_other)) > 0),
    created_at                  TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                                CHECK (datetime(created_at) IS substr(created_at, 1, 19)),
    created_by                  INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    updated_at                  TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                                CHECK (datetime(updated_at) IS substr(updated_at, 1, 19)),
    updated_by                  INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    row_version                 INTEGER NOT NULL DEFAULT 1 CHECK (row_version >= 1),
    CONSTRAINT death_contributing_causes_unique UNIQUE (death_id, cause),
    CONSTRAINT death_contributing_causes_other_named CHECK (cause <> 'OTHER' OR cause_other IS NOT NULL)
);
CREATE INDEX death_contributing_causes_created_by_idx ON death_contributing_causes (created_by);
CREATE INDEX death_contributing_causes_updated_by_idx ON death_contributing_causes (updated_by);

CREATE TRIGGER deaths_row_version BEFORE UPDATE ON deaths
WHEN NEW.row_version IS NOT OLD.row_version + 1
  OR NEW.created_at IS NOT OLD.created_at OR NEW.created_by IS NOT OLD.created_by
BEGIN
    SELECT RAISE(ABORT, 'deaths: an update must set row_version = row_version + 1 and keep created_at/created_by');
END;

CREATE TRIGGER death_contributing_causes_row_version BEFORE UPDATE ON death_contributing_causes
WHEN NEW.row_version IS NOT OLD.row_version + 1
  OR NEW.created_at IS NOT OLD.created_at OR NEW.created_by IS NOT OLD.created_by
BEGIN
    SELECT RAISE(ABORT, 'death_contributing_causes: an update must set row_version = row_version + 1 and keep created_at/created_by');
END;
