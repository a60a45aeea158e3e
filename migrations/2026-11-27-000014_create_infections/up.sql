-- Clinically significant infections (= requiring treatment), one row per infection with its
-- diagnosis date, organism class and organism, CTCAE severity, hospital and ICU care; the body
-- sites are rows of infection_sites. A recurrence may point at the infection it recurs from.
CREATE TABLE infections (
    id                          INTEGER PRIMARY KEY NOT NULL,
    patient_id                  INTEGER NOT NULL REFERENCES patients (id) ON DELETE RESTRICT,
    reported_in_follow_up_id    INTEGER,
    diagnosis_date              DATE NOT NULL CHECK (date(diagnosis_date) IS diagnosis_date),
    diagnosis_date_estimated    BOOLEAN NOT NULL DEFAULT 0 CHECK (diagnosis_date_estimated IN (0, 1)),
    organism_class              TEXT NOT NULL
                                CHECK (organism_class IN ('BACTERIAL_GRAM_POSITIVE', 'BACTERIAL_GRAM_NEGATIVE', 'BACTERIAL_OTHER', 'VIRAL', 'FUNGAL_MOULD', 'FUNGAL_YEAST', 'FUNGAL_OTHER', 'PARASITIC', 'NO_ORGANISM', 'UNK', 'NASK', 'NA', 'ND', 'ASKU', 'LTF', 'PREV')),
    organism                    TEXT
                                CHECK (organism IN ('STAPH_AUREUS', 'CONS', 'ENTEROCOCCUS', 'STREPTOCOCCUS', 'C_DIFFICILE', 'OTHER_GRAM_POS', 'E_COLI', 'KLEBSIELLA', 'PSEUDOMONAS', 'ENTEROBACTER', 'OTHER_GRAM_NEG', 'MYCOBACTERIUM', 'OTHER_BACTERIUM', 'CMV', 'EBV', 'HHV6', 'HSV', 'VZV', 'ADENOVIRUS', 'BK_VIRUS', 'JC', 'RSV', 'INFLUENZA', 'PARAINFLUENZA', 'HMPV', 'RHINOVIRUS', 'SARS_COV_2', 'NOROVIRUS', 'HBV', 'OTHER_VIRUS', 'ASPERGILLUS', 'MUCORALES', 'OTHER_MOULD', 'CANDIDA', 'CRYPTOCOCCUS', 'OTHER_YEAST', 'PJP', 'TOXOPLASMA', 'STRONGYLOIDES', 'OTHER_PARASITE', 'NONE', 'UNK', 'NASK', 'NA', 'ND', 'ASKU', 'LTF', 'PREV')),
    -- The organism, when one of the OTHER_* codes.
    organism_other              TEXT CHECK (organism_other IS NULL OR length(trim(organism_other)) > 0),
    -- CTCAE v5.0 grade of the infection.
    severity                    TEXT CHECK (severity IN ('G1', 'G2', 'G3', 'G4', 'G5', 'UNK', 'NASK', 'NA', 'ND', 'ASKU', 'LTF', 'PREV')),
    hospitalised                TEXT CHECK (hospitalised IN ('Y', 'N', 'UNK', 'NASK', 'NA', 'ND', 'ASKU', 'LTF', 'PREV')),
    icu_admission               TEXT CHECK (icu_admission IN ('Y', 'N', 'UNK', 'NASK', 'NA', 'ND', 'ASKU', 'LTF', 'PREV')),
    outcome                     TEXT CHECK (outcome IN ('RESOLVED', 'ONGOING', 'FATAL', 'UNK', 'NASK', 'NA', 'ND', 'ASKU', 'LTF', 'PREV')),
    resolution_date             DATE CHECK (date(resolution_date) IS resolution_date),
    resolution_date_estimated   BOOLEAN NOT NULL DEFAULT 0 CHECK (resolution_date_estimated IN (0, 1)),
    recurrence_of_infection_id  INTEGER REFERENCES infections (id) ON DELETE RESTRICT,
    created_at                  TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                                CHECK (datetime(created_at) IS substr(created_at, 1, 19)),
    created_by                  INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    updated_at                  TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                                CHECK (datetime(updated_at) IS substr(updated_at, 1, 19)),
    updated_by                  INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    row_version                 INTEGER NOT NULL DEFAULT 1 CHECK (row_version >= 1),
    FOREIGN KEY (reported_in_follow_up_id, patient_id) REFERENCES follow_ups (id, patient_id) ON DELETE RESTRICT,
    CONSTRAINT infections_resolution_after_diagnosis CHECK (resolution_date >= diagnosis_date),
    CONSTRAINT infections_other_organism_named CHECK (organism NOT GLOB 'OTHER_*' OR organism_other IS NOT NULL),
    CONSTRAINT infections_icu_means_hospitalised CHECK (icu_admission <> 'Y' OR hospitalised = 'Y'),
    CONSTRAINT infections_fatal_is_grade_5 CHECK ((outcome = 'FATAL') = (severity = 'G5')),
    CONSTRAINT infections_estimated_needs_date
        CHECK (resolution_date IS NOT NULL OR resolution_date_estimated = 0),
    CONSTRAINT infections_not_own_recurrence CHECK (recurrence_of_infection_id <> id)
);
CREATE INDEX infections_patient_id_idx ON infections (patient_id);
CREATE INDEX infections_reported_in_follow_up_id_idx ON infections (reported_in_follow_up_id, patient_id);
CREATE INDEX infections_recurrence_of_infection_id_idx ON infections (recurrence_of_infection_id);
CREATE INDEX infections_created_by_idx ON infections (created_by);
CREATE INDEX infections_updated_by_idx ON infections (updated_by);

-- Body sites of an infection (CIBMTR site list), one row per site.
CREATE TABLE infection_sites (
    id                          INTEGER PRIMARY KEY NOT NULL,
    infection_id                INTEGER NOT NULL REFERENCES infections (id) ON DELETE RESTRICT,
    site                        TEXT NOT NULL
                                CHECK (site IN ('BLOOD', 'BONE', 'CNS', 'EYE', 'GENITAL', 'GI_LOWER', 'GI_UPPER', 'JOINT', 'LIVER_SPLEEN', 'LUNG', 'SINUS_UPPER_RESPIRATORY', 'SKIN_CELLULITIS', 'SKIN_NECROTISING_FASCIITIS', 'URINARY_LOWER', 'URINARY_UPPER', 'OTHER')),
    created_at                  TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                                CHECK (datetime(created_at) IS substr(created_at, 1, 19)),
    created_by                  INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    updated_at                  TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                                CHECK (datetime(updated_at) IS substr(updated_at, 1, 19)),
    updated_by                  INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    row_version                 INTEGER NOT NULL DEFAULT 1 CHECK (row_version >= 1),
    CONSTRAINT infection_sites_unique UNIQUE (infection_id, site)
);
CREATE INDEX infection_sites_created_by_idx ON infection_sites (created_by);
CREATE INDEX infection_sites_updated_by_idx ON infection_sites (updated_by);

CREATE TRIGGER infections_row_version BEFORE UPDATE ON infections
WHEN NEW.row_version IS NOT OLD.row_version + 1
  OR NEW.created_at IS NOT OLD.created_at OR NEW.created_by IS NOT OLD.created_by
BEGIN
    SELECT RAISE(ABORT, 'infections: an update must set row_version = row_version + 1 and keep created_at/created_by');
END;

CREATE TRIGGER infection_sites_row_version BEFORE UPDATE ON infection_sites
WHEN NEW.row_version IS NOT OLD.row_version + 1
  OR NEW.created_at IS NOT OLD.created_at OR NEW.created_by IS NOT OLD.created_by
BEGIN
    SELECT RAISE(ABORT, 'infection_sites: an update must set row_version = row_version + 1 and keep created_at/created_by');
END;
