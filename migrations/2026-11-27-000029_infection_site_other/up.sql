-- An infection site ticked "Other site (specify)" names the site it is (e.g. "catheter exit
-- site"): a new column site_other, set only on the OTHER row and never blank. NULL stays
-- allowed on an OTHER row, so the OTHER rows stored before this migration (unnamed) are kept;
-- the web app and the API require the name for every new or corrected one.
-- SQLite cannot add a CHECK across columns to a table in place, so the table is made again
-- (nothing references it) and every row copied as it is (site_other NULL).
-- Rows aside, the table and its trigger dropped and made again, rows back.
CREATE TABLE infection_sites_rows AS SELECT * FROM infection_sites;
DROP TRIGGER infection_sites_row_version;
DROP TABLE infection_sites;
CREATE TABLE infection_sites (
    id                          INTEGER PRIMARY KEY NOT NULL,
    infection_id                INTEGER NOT NULL REFERENCES infections (id) ON DELETE RESTRICT,
    site                        TEXT NOT NULL
                                CHECK (site IN ('BLOOD', 'BONE', 'CNS', 'EYE', 'GENITAL', 'GI_LOWER', 'GI_UPPER', 'JOINT', 'LIVER_SPLEEN', 'LUNG', 'SINUS_UPPER_RESPIRATORY', 'SKIN_CELLULITIS', 'SKIN_NECROTISING_FASCIITIS', 'URINARY_LOWER', 'URINARY_UPPER', 'OTHER')),
    -- The site, when it is OTHER ("Other site (specify)").
    site_other                  TEXT,
    created_at                  TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                                CHECK (datetime(created_at) IS substr(created_at, 1, 19)),
    created_by                  INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    updated_at                  TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                                CHECK (datetime(updated_at) IS substr(updated_at, 1, 19)),
    updated_by                  INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    row_version                 INTEGER NOT NULL DEFAULT 1 CHECK (row_version >= 1),
    CONSTRAINT infection_sites_unique UNIQUE (infection_id, site),
    -- A name only for the OTHER site, and never blank.
    CONSTRAINT infection_sites_other_named_only_on_other
        CHECK (site_other IS NULL OR (site = 'OTHER' AND length(trim(site_other)) > 0))
);
INSERT INTO infection_sites (id, infection_id, site, site_other, created_at, created_by, updated_at, updated_by, row_version)
    SELECT id, infection_id, site, NULL, created_at, created_by, updated_at, updated_by, row_version FROM infection_sites_rows;
DROP TABLE infection_sites_rows;
CREATE INDEX infection_sites_created_by_idx ON infection_sites (created_by);
CREATE INDEX infection_sites_updated_by_idx ON infection_sites (updated_by);

CREATE TRIGGER infection_sites_row_version BEFORE UPDATE ON infection_sites
WHEN NEW.row_version IS NOT OLD.row_version + 1
  OR NEW.created_at IS NOT OLD.created_at OR NEW.created_by IS NOT OLD.created_by
BEGIN
    SELECT RAISE(ABORT, 'infection_sites: an update must set row_version = row_version + 1 and keep created_at/created_by');
END;
