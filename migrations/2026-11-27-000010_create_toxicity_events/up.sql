-- Toxicity events after CAR-T (CRS, ICANS, IEC-HS, early and late ICAHT, TLS, delayed
-- neurotoxicity, hypogammaglobulinaemia, organ toxicity), recorded once with their onset and maximum grade, and linked to the follow-up that
-- first reported them. CRS and ICANS keep the components their ASTCT 2019 grade is derived from;
-- where all components of a CRS are recorded, the grade must agree with them, and an ICANS grade
-- is never below the one its lowest ICE score implies.
CREATE TABLE toxicity_events (
    id                          INTEGER PRIMARY KEY NOT NULL,
    patient_id                  INTEGER NOT NULL REFERENCES patients (id) ON DELETE RESTRICT,
    course_id                   INTEGER NOT NULL,
    reported_in_follow_up_id    INTEGER,
    toxicity_type               TEXT NOT NULL
                                CHECK (toxicity_type IN ('CRS', 'ICANS', 'IEC_HS', 'ICAHT_EARLY', 'ICAHT_LATE', 'TLS', 'DELAYED_NEURO', 'HYPOGAMMA', 'ORGAN', 'OTHER')),
    -- CTCAE term (or description): required for ORGAN and OTHER, useful for DELAYED_NEURO.
    toxicity_term               TEXT CHECK (toxicity_term IS NULL OR length(trim(toxicity_term)) > 0),
    grading_system              TEXT NOT NULL
                                CHECK (grading_system IN ('ASTCT2019', 'CTCAE5', 'EHA_EBMT2023', 'LEE2014', 'PENN', 'CARTOX')),
    -- Maximum grade G1-G5 (G5 = fatal).
    max_grade                   TEXT NOT NULL CHECK (max_grade IN ('G1', 'G2', 'G3', 'G4', 'G5', 'UNK', 'NASK', 'NA', 'ND', 'ASKU', 'LTF', 'PREV')),
    max_grade_date              DATE CHECK (date(max_grade_date) IS max_grade_date),
    max_grade_date_estimated    BOOLEAN NOT NULL DEFAULT 0 CHECK (max_grade_date_estimated IN (0, 1)),
    -- First symptom documented by a clinician.
    onset_date                  DATE NOT NULL CHECK (date(onset_date) IS onset_date),
    onset_date_estimated        BOOLEAN NOT NULL DEFAULT 0 CHECK (onset_date_estimated IN (0, 1)),
    resolution_date             DATE CHECK (date(resolution_date) IS resolution_date),
    resolution_date_estimated   BOOLEAN NOT NULL DEFAULT 0 CHECK (resolution_date_estimated IN (0, 1)),
    ongoing                     BOOLEAN NOT NULL DEFAULT 0 CHECK (ongoing IN (0, 1)),
    icu_admission               TEXT CHECK (icu_admission IN ('Y', 'N', 'UNK', 'NASK', 'NA', 'ND', 'ASKU', 'LTF', 'PREV')),
    -- CRS components (ASTCT 2019).
    crs_max_temperature_c       DOUBLE CHECK (crs_max_temperature_c IS NULL
                                            OR (typeof(crs_max_temperature_c) IN ('real', 'integer')
                                                AND crs_max_temperature_c BETWEEN 30 AND 45)),
    crs_hypotension             TEXT
                                CHECK (crs_hypotension IN ('NONE', 'FLUIDS', 'VASO_1', 'VASO_MULTI', 'UNK', 'NASK', 'NA', 'ND', 'ASKU', 'LTF', 'PREV')),
    crs_hypoxia                 TEXT
                                CHECK (crs_hypoxia IN ('NONE', 'LOW_FLOW', 'HIGH_FLOW', 'POS_PRESSURE', 'UNK', 'NASK', 'NA', 'ND', 'ASKU', 'LTF', 'PREV')),
    -- ICANS components (ASTCT 2019): lowest ICE score 0-10 (CAPD 0-32 under 12 years).
    icans_lowest_ice_score      INTEGER CHECK (icans_lowest_ice_score BETWEEN 0 AND 10),
    icans_highest_capd_score    INTEGER CHECK (icans_highest_capd_score BETWEEN 0 AND 32),
    icans_consciousness         TEXT
                                CHECK (icans_consciousness IN ('ALERT', 'SPONTANEOUS', 'VOICE', 'TOUCH', 'UNAROUSABLE', 'UNK', 'NASK', 'NA', 'ND', 'ASKU', 'LTF', 'PREV')),
    icans_seizure               TEXT
                                CHECK (icans_seizure IN ('NONE', 'RESOLVING', 'PROLONGED', 'UNK', 'NASK', 'NA', 'ND', 'ASKU', 'LTF', 'PREV')),
    icans_motor_weakness        TEXT CHECK (icans_motor_weakness IN ('NONE', 'DEEP_FOCAL', 'UNK', 'NASK', 'NA', 'ND', 'ASKU', 'LTF', 'PREV')),
    icans_cerebral_oedema       TEXT CHECK (icans_cerebral_oedema IN ('NONE', 'FOCAL', 'DIFFUSE', 'UNK', 'NASK', 'NA', 'ND', 'ASKU', 'LTF', 'PREV')),
    created_at                  TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                                CHECK (datetime(created_at) IS substr(created_at, 1, 19)),
    created_by                  INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    updated_at                  TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                                CHECK (datetime(updated_at) IS substr(updated_at, 1, 19)),
    updated_by                  INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    row_version                 INTEGER NOT NULL DEFAULT 1 CHECK (row_version >= 1),
    FOREIGN KEY (course_id, patient_id) REFERENCES treatment_courses (id, patient_id) ON DELETE RESTRICT,
    FOREIGN KEY (reported_in_follow_up_id, patient_id) REFERENCES follow_ups (id, patient_id) ON DELETE RESTRICT,
    CONSTRAINT toxicity_events_resolution_after_onset CHECK (resolution_date >= onset_date),
    CONSTRAINT toxicity_events_max_grade_within_event
        CHECK (max_grade_date >= onset_date AND max_grade_date <= coalesce(resolution_date, max_grade_date)),
    CONSTRAINT toxicity_events_ongoing_not_resolved CHECK (ongoing = 0 OR resolution_date IS NULL),
    CONSTRAINT toxicity_events_estimated_needs_date CHECK (
        (max_grade_date IS NOT NULL OR max_grade_date_estimated = 0)
        AND (resolution_date IS NOT NULL OR resolution_date_estimated = 0)),
    CONSTRAINT toxicity_events_term_for_unlisted_types
        CHECK (toxicity_type NOT IN ('ORGAN', 'OTHER') OR toxicity_term IS NOT NULL),
    CONSTRAINT toxicity_events_astct_for_crs_icans
        CHECK (toxicity_type NOT IN ('CRS', 'ICANS') OR grading_system IN ('ASTCT2019', 'LEE2014', 'PENN', 'CARTOX')),
    CONSTRAINT toxicity_events_crs_components_only_for_crs CHECK (
        toxicity_type = 'CRS'
        OR (crs_max_temperature_c IS NULL AND crs_hypotension IS NULL AND crs_hypoxia IS NULL)),
    CONSTRAINT toxicity_events_icans_components_only_for_icans CHECK (
        toxicity_type = 'ICANS'
        OR (icans_lowest_ice_score IS NULL AND icans_highest_capd_score IS NULL
            AND icans_consciousness IS NULL AND icans_seizure IS NULL
            AND icans_motor_weakness IS NULL AND icans_cerebral_oedema IS NULL)),
    -- ASTCT 2019: a non-fatal CRS grade is the worse of hypotension and hypoxia (grade 1 = fever
    -- alone). Checked when both components are recorded.
    CONSTRAINT toxicity_events_crs_grade_matches_components CHECK (
        toxicity_type <> 'CRS' OR grading_system <> 'ASTCT2019'
        OR max_grade NOT IN ('G1', 'G2', 'G3', 'G4')
        OR crs_hypotension NOT IN ('NONE', 'FLUIDS', 'VASO_1', 'VASO_MULTI')
        OR crs_hypoxia NOT IN ('NONE', 'LOW_FLOW', 'HIGH_FLOW', 'POS_PRESSURE')
        OR max_grade = 'G' || max(
            CASE crs_hypotension WHEN 'NONE' THEN 1 WHEN 'FLUIDS' THEN 2
                                 WHEN 'VASO_1' THEN 3 ELSE 4 END,
            CASE crs_hypoxia WHEN 'NONE' THEN 1 WHEN 'LOW_FLOW' THEN 2
                             WHEN 'HIGH_FLOW' THEN 3 ELSE 4 END)),
    -- ASTCT 2019: ICE 7-9 is at least grade 1, 3-6 grade 2, 0-2 grade 3.
    CONSTRAINT toxicity_events_icans_grade_not_below_ice CHECK (
        toxicity_type <> 'ICANS' OR grading_system <> 'ASTCT2019'
        OR icans_lowest_ice_score IS NULL
        OR max_grade NOT IN ('G1', 'G2', 'G3', 'G4', 'G5')
        OR CAST(substr(max_grade, 2) AS INTEGER) >=
           CASE WHEN icans_lowest_ice_score <= 2 THEN 3 WHEN icans_lowest_ice_score <= 6 THEN 2
                WHEN icans_lowest_ice_score <= 9 THEN 1 ELSE 0 END)
);
CREATE INDEX toxicity_events_patient_id_idx ON toxicity_events (patient_id);
CREATE INDEX toxicity_events_course_id_idx ON toxicity_events (course_id, patient_id);
CREATE INDEX toxicity_events_reported_in_follow_up_id_idx
    ON toxicity_events (reported_in_follow_up_id, patient_id);
CREATE INDEX toxicity_events_created_by_idx ON toxicity_events (created_by);
CREATE INDEX toxicity_events_updated_by_idx ON toxicity_events (updated_by);

-- Treatments given for a toxicity event (tocilizumab, corticosteroids, ...), one row per agent.
CREATE TABLE toxicity_treatments (
    id                  INTEGER PRIMARY KEY NOT NULL,
    toxicity_event_id   INTEGER NOT NULL REFERENCES toxicity_events (id) ON DELETE RESTRICT,
    agent               TEXT NOT NULL
                        CHECK (agent IN ('TOCILIZUMAB', 'CORTICOSTEROIDS', 'SILTUXIMAB', 'ANAKINRA', 'VASOPRESSORS', 'ANTIEPILEPTICS', 'ETOPOSIDE', 'G_CSF', 'OTHER')),
    -- The agent, when OTHER (or the corticosteroid used).
    agent_detail        TEXT CHECK (agent_detail IS NULL OR length(trim(agent_detail)) > 0),
    doses_count         INTEGER CHECK (doses_count >= 1),
    start_date          DATE CHECK (date(start_date) IS start_date),
    start_date_estimated BOOLEAN NOT NULL DEFAULT 0 CHECK (start_date_estimated IN (0, 1)),
    created_at          TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                        CHECK (datetime(created_at) IS substr(created_at, 1, 19)),
    created_by          INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    updated_at          TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                        CHECK (datetime(updated_at) IS substr(updated_at, 1, 19)),
    updated_by          INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    row_version         INTEGER NOT NULL DEFAULT 1 CHECK (row_version >= 1),
    CONSTRAINT toxicity_treatments_other_named CHECK (agent <> 'OTHER' OR agent_detail IS NOT NULL),
    CONSTRAINT toxicity_treatments_estimated_needs_date
        CHECK (start_date IS NOT NULL OR start_date_estimated = 0)
);
CREATE INDEX toxicity_treatments_toxicity_event_id_idx ON toxicity_treatments (toxicity_event_id);
CREATE INDEX toxicity_treatments_created_by_idx ON toxicity_treatments (created_by);
CREATE INDEX toxicity_treatments_updated_by_idx ON toxicity_treatments (updated_by);

CREATE TRIGGER toxicity_events_row_version BEFORE UPDATE ON toxicity_events
WHEN NEW.row_version IS NOT OLD.row_version + 1
  OR NEW.created_at IS NOT OLD.created_at OR NEW.created_by IS NOT OLD.created_by
BEGIN
    SELECT RAISE(ABORT, 'toxicity_events: an update must set row_version = row_version + 1 and keep created_at/created_by');
END;

CREATE TRIGGER toxicity_treatments_row_version BEFORE UPDATE ON toxicity_treatments
WHEN NEW.row_version IS NOT OLD.row_version + 1
  OR NEW.created_at IS NOT OLD.created_at OR NEW.created_by IS NOT OLD.created_by
BEGIN
    SELECT RAISE(ABORT, 'toxicity_treatments: an update must set row_version = row_version + 1 and keep created_at/created_by');
END;
