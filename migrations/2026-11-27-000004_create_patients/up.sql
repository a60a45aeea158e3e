-- Patients: pseudonymous, scoped to one site. No name, no medical record number: the registry id
-- is letters, a hyphen and digits (e.g. 'BCN-000123'), which no hospital MRN looks like.
CREATE TABLE patients (
    id                            INTEGER PRIMARY KEY NOT NULL,
    -- SITE-NNNNNN: 2-8 upper-case letters or digits starting with a letter, a hyphen, 4-8 digits
    -- (domain::patient::RegistryId).
    registry_id                   TEXT NOT NULL UNIQUE
                                  CHECK (registry_id GLOB '[A-Z]*-[0-9][0-9][0-9][0-9]*'
                                         AND registry_id NOT GLOB '*[^A-Z0-9-]*'
                                         AND registry_id NOT GLOB '*-*-*'
                                         AND instr(registry_id, '-') BETWEEN 3 AND 9
                                         AND length(registry_id) - instr(registry_id, '-') BETWEEN 4 AND 8
                                         AND substr(registry_id, instr(registry_id, '-') + 1) NOT GLOB '*[^0-9]*'),
    site_id                       INTEGER NOT NULL REFERENCES sites (id) ON DELETE RESTRICT,
    -- Other registries' identifiers (all pseudonymous): CIBMTR CRID, EBMT id, trial subject id.
    cibmtr_crid                   TEXT CHECK (cibmtr_crid IS NULL OR length(trim(cibmtr_crid)) > 0),
    ebmt_id                       TEXT CHECK (ebmt_id IS NULL OR length(trim(ebmt_id)) > 0),
    trial_subject_id              TEXT CHECK (trial_subject_id IS NULL OR length(trim(trial_subject_id)) > 0),
    sex                           TEXT NOT NULL CHECK (sex IN ('M', 'F', 'X', 'U')),
    -- The birth year always; the full birth date only where the site may hold it.
    birth_date                    DATE CHECK (date(birth_date) IS birth_date),
    birth_date_estimated          BOOLEAN NOT NULL DEFAULT 0 CHECK (birth_date_estimated IN (0, 1)),
    birth_year                    INTEGER NOT NULL CHECK (birth_year BETWEEN 1900 AND 2100),
    enrolment_date                DATE NOT NULL CHECK (date(enrolment_date) IS enrolment_date),
    enrolment_date_estimated      BOOLEAN NOT NULL DEFAULT 0 CHECK (enrolment_date_estimated IN (0, 1)),
    consent_research              TEXT NOT NULL
                                  CHECK (consent_research IN ('GIVEN', 'DECLINED', 'NOT_APPROACHED', 'WITHDRAWN')),
    consent_research_date         DATE CHECK (date(consent_research_date) IS consent_research_date),
    consent_research_date_estimated BOOLEAN NOT NULL DEFAULT 0
                                  CHECK (consent_research_date_estimated IN (0, 1)),
    -- EBMT PASS-style data-sharing consent.
    consent_data_sharing          TEXT CHECK (consent_data_sharing IN ('GIVEN', 'DECLINED', 'NOT_APPROACHED', 'WITHDRAWN')),
    consent_data_sharing_date     DATE CHECK (date(consent_data_sharing_date) IS consent_data_sharing_date),
    consent_data_sharing_date_estimated BOOLEAN NOT NULL DEFAULT 0
                                  CHECK (consent_data_sharing_date_estimated IN (0, 1)),
    -- Long-term follow-up status and the date it took effect (not needed while ACTIVE).
    ltfu_status                   TEXT NOT NULL DEFAULT 'ACTIVE'
                                  CHECK (ltfu_status IN ('ACTIVE', 'LOST', 'WITHDRAWN', 'TRANSFERRED', 'DEAD')),
    ltfu_status_date              DATE CHECK (date(ltfu_status_date) IS ltfu_status_date),
    ltfu_status_date_estimated    BOOLEAN NOT NULL DEFAULT 0 CHECK (ltfu_status_date_estimated IN (0, 1)),
    -- Tracing attempts made before declaring the patient lost to follow-up.
    ltfu_contact_attempts         INTEGER CHECK (ltfu_contact_attempts >= 0),
    -- The centre that took over follow-up (TRANSFERRED only).
    transfer_centre               TEXT CHECK (transfer_centre IS NULL OR length(trim(transfer_centre)) > 0),
    referring_physician           TEXT,
    created_at                    TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                                  CHECK (datetime(created_at) IS substr(created_at, 1, 19)),
    created_by                    INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    updated_at                    TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                                  CHECK (datetime(updated_at) IS substr(updated_at, 1, 19)),
    updated_by                    INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    row_version                   INTEGER NOT NULL DEFAULT 1 CHECK (row_version >= 1),
    CONSTRAINT patients_birth_year_matches_date
        CHECK (birth_date IS NULL OR birth_year = CAST(strftime('%Y', birth_date) AS INTEGER)),
    CONSTRAINT patients_birth_before_enrolment
        CHECK (birth_date IS NULL OR birth_date <= enrolment_date),
    CONSTRAINT patients_estimated_needs_date CHECK (
        (birth_date IS NOT NULL OR birth_date_estimated = 0)
        AND (consent_research_date IS NOT NULL OR consent_research_date_estimated = 0)
        AND (consent_data_sharing_date IS NOT NULL OR consent_data_sharing_date_estimated = 0)
        AND (ltfu_status_date IS NOT NULL OR ltfu_status_date_estimated = 0)),
    CONSTRAINT patients_ltfu_status_dated CHECK (ltfu_status = 'ACTIVE' OR ltfu_status_date IS NOT NULL),
    CONSTRAINT patients_transfer_centre_when_transferred
        CHECK (ltfu_status <> 'TRANSFERRED' OR transfer_centre IS NOT NULL)
);
CREATE INDEX patients_site_id_idx ON patients (site_id);
CREATE INDEX patients_created_by_idx ON patients (created_by);
CREATE INDEX patients_updated_by_idx ON patients (updated_by);

CREATE TRIGGER patients_row_version BEFORE UPDATE ON patients
WHEN NEW.row_version IS NOT OLD.row_version + 1
  OR NEW.created_at IS NOT OLD.created_at OR NEW.created_by IS NOT OLD.created_by
BEGIN
    SELECT RAISE(ABORT, 'patients: an update must set row_version = row_version + 1 and keep created_at/created_by');
END;
