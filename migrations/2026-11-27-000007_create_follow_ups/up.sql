-- Follow-up reporting periods. A follow-up covers (previous contact_date, contact_date] of one
-- treatment course, at a scheduled timepoint counted from that course's Day 0 (or UNSCHEDULED).
-- Events are rows of their own tables, linked here by reported_in_follow_up_id; the
-- *_none_to_report flags say a section was answered "nothing to report" (1), has events (0),
-- or was not answered yet (NULL): blank is never "none".
--
-- Sign-off: each act (complete, verify, e-sign, lock, unlock) is a row of follow_up_sign_offs
-- (next migration), the history a Part 11 review reads. Here the form keeps its status and the
-- current lock: a locked follow-up (locked_at set) cannot be changed or deleted until an admin
-- records an UNLOCK sign-off with a reason and clears the lock.
CREATE TABLE follow_ups (
    id                                  INTEGER PRIMARY KEY NOT NULL,
    patient_id                          INTEGER NOT NULL REFERENCES patients (id) ON DELETE RESTRICT,
    course_id                           INTEGER NOT NULL,
    timepoint                           TEXT NOT NULL
                                        CHECK (timepoint IN ('D7', 'D14', 'D28', 'D100', 'M6', 'Y1', 'Y2', 'Y3', 'Y4', 'Y5', 'Y6', 'Y7', 'Y8', 'Y9', 'Y10', 'Y11', 'Y12', 'Y13', 'Y14', 'Y15', 'UNSCHEDULED')),
    -- Date of actual contact: the end of the reporting period.
    contact_date                        DATE CHECK (date(contact_date) IS contact_date),
    contact_date_estimated              BOOLEAN NOT NULL DEFAULT 0 CHECK (contact_date_estimated IN (0, 1)),
    contact_type                        TEXT
                                        CHECK (contact_type IN ('CLINIC', 'OUTSIDE_RECORDS', 'PHONE', 'QUESTIONNAIRE', 'SURVIVAL_TOOL', 'REGISTRY_LINKAGE')),
    survival_status                     TEXT CHECK (survival_status IN ('ALIVE', 'DEAD', 'UNKNOWN')),
    ecog_performance_status             INTEGER CHECK (ecog_performance_status BETWEEN 0 AND 4),
    -- Relapse or progression since the last report: Y (with its first date and how it was
    -- detected), N, or PREV (previously reported).
    relapse_since_last                  TEXT CHECK (relapse_since_last IN ('Y', 'N', 'UNK', 'NASK', 'NA', 'ND', 'ASKU', 'LTF', 'PREV')),
    relapse_date                        DATE CHECK (date(relapse_date) IS relapse_date),
    relapse_date_estimated              BOOLEAN NOT NULL DEFAULT 0 CHECK (relapse_date_estimated IN (0, 1)),
    -- How the relapse was first detected.
    relapse_method                      TEXT
                                        CHECK (relapse_method IN ('MOLECULAR', 'FLOW', 'CYTO_FISH', 'RADIOLOGICAL', 'CLINICAL', 'UNK', 'NASK', 'NA', 'ND', 'ASKU', 'LTF', 'PREV')),
    -- Target antigen on the relapse (antigen escape: CD19- or BCMA-negative relapse).
    relapse_antigen_status              TEXT CHECK (relapse_antigen_status IN ('NEG', 'POS', 'DIM', 'UNK', 'NASK', 'NA', 'ND', 'ASKU', 'LTF', 'PREV')),
    form_status                         TEXT NOT NULL DEFAULT 'NOT_STARTED'
                                        CHECK (form_status IN ('NOT_STARTED', 'IN_PROGRESS', 'COMPLETE', 'VERIFIED', 'LOCKED', 'SIGNED')),
    responses_none_to_report            BOOLEAN CHECK (responses_none_to_report IN (0, 1)),
    toxicities_none_to_report           BOOLEAN CHECK (toxicities_none_to_report IN (0, 1)),
    infections_none_to_report           BOOLEAN CHECK (infections_none_to_report IN (0, 1)),
    new_malignancies_none_to_report     BOOLEAN CHECK (new_malignancies_none_to_report IN (0, 1)),
    subsequent_therapies_none_to_report BOOLEAN CHECK (subsequent_therapies_none_to_report IN (0, 1)),
    persistence_tests_none_to_report    BOOLEAN CHECK (persistence_tests_none_to_report IN (0, 1)),
    lab_results_none_to_report          BOOLEAN CHECK (lab_results_none_to_report IN (0, 1)),
    immunoglobulin_none_to_report       BOOLEAN CHECK (immunoglobulin_none_to_report IN (0, 1)),
    -- The current lock (the monitor's LOCK sign-off); NULL when not locked.
    locked_by                           INTEGER REFERENCES users (id) ON DELETE RESTRICT,
    locked_at                           TIMESTAMP CHECK (datetime(locked_at) IS substr(locked_at, 1, 19)),
    created_at                          TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                                        CHECK (datetime(created_at) IS substr(created_at, 1, 19)),
    created_by                          INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    updated_at                          TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                                        CHECK (datetime(updated_at) IS substr(updated_at, 1, 19)),
    updated_by                          INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    row_version                         INTEGER NOT NULL DEFAULT 1 CHECK (row_version >= 1),
    FOREIGN KEY (course_id, patient_id) REFERENCES treatment_courses (id, patient_id) ON DELETE RESTRICT,
    -- Lets events name (follow-up, patient) together, so an event cannot be filed under another
    -- patient's follow-up.
    CONSTRAINT follow_ups_id_patient_id_unique UNIQUE (id, patient_id),
    CONSTRAINT follow_ups_relapse_date_only_if_relapsed
        CHECK ((relapse_date IS NULL AND relapse_method IS NULL AND relapse_antigen_status IS NULL)
               OR relapse_since_last = 'Y'),
    CONSTRAINT follow_ups_estimated_needs_date CHECK (
        (contact_date IS NOT NULL OR contact_date_estimated = 0)
        AND (relapse_date IS NOT NULL OR relapse_date_estimated = 0)),
    -- A completed form has answered everything: contact, survival and every event section.
    CONSTRAINT follow_ups_complete_form_answered CHECK (
        form_status IN ('NOT_STARTED', 'IN_PROGRESS')
        OR (contact_date IS NOT NULL AND contact_type IS NOT NULL AND survival_status IS NOT NULL
            AND relapse_since_last IS NOT NULL
            AND responses_none_to_report IS NOT NULL AND toxicities_none_to_report IS NOT NULL
            AND infections_none_to_report IS NOT NULL AND new_malignancies_none_to_report IS NOT NULL
            AND subsequent_therapies_none_to_report IS NOT NULL
            AND persistence_tests_none_to_report IS NOT NULL AND lab_results_none_to_report IS NOT NULL
            AND immunoglobulin_none_to_report IS NOT NULL)),
    CONSTRAINT follow_ups_lock_complete CHECK ((locked_by IS NULL) = (locked_at IS NULL)),
    CONSTRAINT follow_ups_locked_status CHECK ((form_status IN ('LOCKED', 'SIGNED')) = (locked_at IS NOT NULL))
);
CREATE INDEX follow_ups_patient_id_idx ON follow_ups (patient_id);
CREATE INDEX follow_ups_course_id_idx ON follow_ups (course_id, patient_id);
-- One follow-up per scheduled timepoint of a course.
CREATE UNIQUE INDEX follow_ups_course_timepoint_unique ON follow_ups (course_id, timepoint)
WHERE timepoint <> 'UNSCHEDULED';
CREATE INDEX follow_ups_locked_by_idx ON follow_ups (locked_by);
CREATE INDEX follow_ups_created_by_idx ON follow_ups (created_by);
CREATE INDEX follow_ups_updated_by_idx ON follow_ups (updated_by);

CREATE TRIGGER follow_ups_row_version BEFORE UPDATE ON follow_ups
WHEN NEW.row_version IS NOT OLD.row_version + 1
  OR NEW.created_at IS NOT OLD.created_at OR NEW.created_by IS NOT OLD.created_by
BEGIN
    SELECT RAISE(ABORT, 'follow_ups: an update must set row_version = row_version + 1 and keep created_at/created_by');
END;

CREATE TRIGGER follow_ups_locked_no_delete BEFORE DELETE ON follow_ups
WHEN OLD.locked_at IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'follow_ups: this follow-up is locked and cannot be deleted');
END;
