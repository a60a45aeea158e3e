-- How a relapse reported by a follow-up was detected: every method that showed it (check all
-- that apply: molecular, flow cytometry, cytogenetic/FISH, radiological, clinical/haematological;
-- domain.md §1.2, §3.4 "first date + method(s)"), one row per follow-up and method.
-- follow_ups.relapse_method stays: it names the method that detected the relapse first, and the
-- web app keeps it among the rows here. Rows exist only for a follow-up that reports a relapse
-- (relapse_since_last = 'Y'); the app writes them with the follow-up, audited in its change set.
CREATE TABLE relapse_detection_methods (
    id              INTEGER PRIMARY KEY NOT NULL,
    follow_up_id    INTEGER NOT NULL REFERENCES follow_ups (id) ON DELETE RESTRICT,
    method          TEXT NOT NULL
                    CHECK (method IN ('MOLECULAR', 'FLOW', 'CYTO_FISH', 'RADIOLOGICAL', 'CLINICAL')),
    created_at      TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                    CHECK (datetime(created_at) IS substr(created_at, 1, 19)),
    created_by      INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    updated_at      TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                    CHECK (datetime(updated_at) IS substr(updated_at, 1, 19)),
    updated_by      INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    row_version     INTEGER NOT NULL DEFAULT 1 CHECK (row_version >= 1),
    CONSTRAINT relapse_detection_methods_unique UNIQUE (follow_up_id, method)
);
CREATE INDEX relapse_detection_methods_created_by_idx ON relapse_detection_methods (created_by);
CREATE INDEX relapse_detection_methods_updated_by_idx ON relapse_detection_methods (updated_by);

CREATE TRIGGER relapse_detection_methods_row_version BEFORE UPDATE ON relapse_detection_methods
WHEN NEW.row_version IS NOT OLD.row_version + 1
  OR NEW.created_at IS NOT OLD.created_at OR NEW.created_by IS NOT OLD.created_by
BEGIN
    SELECT RAISE(ABORT, 'relapse_detection_methods: an update must set row_version = row_version + 1 and keep created_at/created_by');
END;

-- A relapse already recorded was detected at least by its first method.
INSERT INTO relapse_detection_methods (follow_up_id, method, created_by, updated_by)
SELECT id, relapse_method, updated_by, updated_by
FROM follow_ups
WHERE relapse_since_last = 'Y'
  AND relapse_method IN ('MOLECULAR', 'FLOW', 'CYTO_FISH', 'RADIOLOGICAL', 'CLINICAL');
