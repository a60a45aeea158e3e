-- Disease response assessments after a CAR-T course, each by the disease's own criteria
-- (Lugano 2014, IMWG 2016, B-ALL, iwCLL 2018; CIBMTR's generic codes otherwise), with MRD.
-- Best overall response is derived from these rows (excluding responses to therapy given for
-- relapse), never entered.
CREATE TABLE response_assessments (
    id                          INTEGER PRIMARY KEY NOT NULL,
    patient_id                  INTEGER NOT NULL REFERENCES patients (id) ON DELETE RESTRICT,
    course_id                   INTEGER NOT NULL,
    -- The follow-up that first reported this assessment (NULL if recorded outside one).
    reported_in_follow_up_id    INTEGER,
    assessment_date             DATE NOT NULL CHECK (date(assessment_date) IS assessment_date),
    assessment_date_estimated   BOOLEAN NOT NULL DEFAULT 0 CHECK (assessment_date_estimated IN (0, 1)),
    method                      TEXT
                                CHECK (method IN ('PET_CT', 'CT', 'MRI', 'BM', 'FLOW_MRD', 'NGS_MRD', 'PCR', 'SPEP_UPEP_IFE', 'SFLC', 'CLINICAL')),
    criteria                    TEXT NOT NULL
                                CHECK (criteria IN ('LUGANO2014', 'IMWG2016', 'BALL', 'IWCLL2018', 'OTHER')),
    -- A code of the criteria's own list (checked per criteria below).
    response                    TEXT NOT NULL,
    deauville_score             INTEGER CHECK (deauville_score BETWEEN 1 AND 5),
    mrd_status                  TEXT CHECK (mrd_status IN ('NEG', 'POS', 'INDET', 'UNK', 'NASK', 'NA', 'ND', 'ASKU', 'LTF', 'PREV')),
    mrd_method                  TEXT CHECK (mrd_method IN ('FLOW', 'NGF', 'NGS', 'PCR', 'IMAGING', 'OTHER')),
    -- Lowest detectable level of the MRD assay: E4 = 10^-4, E5 = 10^-5, E6 = 10^-6.
    mrd_sensitivity             TEXT CHECK (mrd_sensitivity IN ('E4', 'E5', 'E6')),
    assessor                    TEXT CHECK (assessor IN ('INVESTIGATOR', 'CENTRAL')),
    created_at                  TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                                CHECK (datetime(created_at) IS substr(created_at, 1, 19)),
    created_by                  INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    updated_at                  TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                                CHECK (datetime(updated_at) IS substr(updated_at, 1, 19)),
    updated_by                  INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    row_version                 INTEGER NOT NULL DEFAULT 1 CHECK (row_version >= 1),
    FOREIGN KEY (course_id, patient_id) REFERENCES treatment_courses (id, patient_id) ON DELETE RESTRICT,
    FOREIGN KEY (reported_in_follow_up_id, patient_id) REFERENCES follow_ups (id, patient_id) ON DELETE RESTRICT,
    CONSTRAINT response_assessments_response_by_criteria CHECK (
        (criteria = 'LUGANO2014' AND response IN ('CR', 'PR', 'SD', 'PD', 'NE', 'ND'))
        OR (criteria = 'IMWG2016' AND response IN ('SCR', 'CR', 'VGPR', 'PR', 'MR', 'SD', 'PD', 'NE'))
        OR (criteria = 'BALL' AND response IN ('CR', 'CRI', 'MLFS', 'PR', 'NR', 'RELAPSE', 'NE'))
        OR (criteria = 'IWCLL2018' AND response IN ('CR', 'CRI', 'PR', 'PRL', 'SD', 'PD', 'NE'))
        OR (criteria = 'OTHER' AND response IN ('CCR', 'CR', 'PR', 'NR', 'PD', 'NE'))),
    CONSTRAINT response_assessments_deauville_is_lugano
        CHECK (deauville_score IS NULL OR criteria = 'LUGANO2014'),
    CONSTRAINT response_assessments_mrd_details_need_status
        CHECK (mrd_status IS NOT NULL OR (mrd_method IS NULL AND mrd_sensitivity IS NULL))
);
CREATE INDEX response_assessments_patient_id_idx ON response_assessments (patient_id);
CREATE INDEX response_assessments_course_id_idx ON response_assessments (course_id, patient_id);
CREATE INDEX response_assessments_reported_in_follow_up_id_idx
    ON response_assessments (reported_in_follow_up_id, patient_id);
CREATE INDEX response_assessments_created_by_idx ON response_assessments (created_by);
CREATE INDEX response_assessments_updated_by_idx ON response_assessments (updated_by);

CREATE TRIGGER response_assessments_row_version BEFORE UPDATE ON response_assessments
WHEN NEW.row_version IS NOT OLD.row_version + 1
  OR NEW.created_at IS NOT OLD.created_at OR NEW.created_by IS NOT OLD.created_by
BEGIN
    SELECT RAISE(ABORT, 'response_assessments: an update must set row_version = row_version + 1 and keep created_at/created_by');
END;
