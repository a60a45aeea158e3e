-- The append-only audit trail (21 CFR 11.10(e)): one row per field per change, never updated or
-- deleted. The rows of one save share a change_set_id; who, when and why repeat on each row so
-- that a row reads on its own. record_id and patient_id are deliberately not foreign keys: the
-- trail outlives the records it describes (a deleted row keeps its history).
CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY NOT NULL,
    change_set_id INTEGER NOT NULL CHECK (change_set_id >= 1),
    changed_at    TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                  CHECK (datetime(changed_at) IS substr(changed_at, 1, 19)),
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    -- Set when the change came through the JSON API.
    api_token_id  INTEGER REFERENCES api_tokens (id) ON DELETE RESTRICT,
    action        TEXT NOT NULL CHECK (action IN ('INSERT', 'UPDATE', 'DELETE')),
    table_name    TEXT NOT NULL
                  CHECK (length(table_name) > 0 AND table_name NOT GLOB '*[^a-z_]*'),
    record_id     INTEGER NOT NULL,
    -- The patient the record belongs to, for the per-patient trail (NULL for users, sites, ...).
    patient_id    INTEGER,
    field_name    TEXT NOT NULL
                  CHECK (length(field_name) > 0 AND field_name NOT GLOB '*[^a-z0-9_]*'),
    old_value     TEXT,
    new_value     TEXT,
    reason        TEXT CHECK (reason IS NULL OR length(trim(reason)) > 0),
    CONSTRAINT audit_log_insert_has_no_old_value CHECK (action <> 'INSERT' OR old_value IS NULL),
    CONSTRAINT audit_log_delete_has_no_new_value CHECK (action <> 'DELETE' OR new_value IS NULL),
    CONSTRAINT audit_log_update_changes_value CHECK (action <> 'UPDATE' OR old_value IS NOT new_value)
);
CREATE INDEX audit_log_change_set_id_idx ON audit_log (change_set_id);
CREATE INDEX audit_log_record_idx ON audit_log (table_name, record_id);
CREATE INDEX audit_log_patient_id_idx ON audit_log (patient_id);
CREATE INDEX audit_log_user_id_idx ON audit_log (user_id);
CREATE INDEX audit_log_api_token_id_idx ON audit_log (api_token_id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: rows cannot be updated');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: rows cannot be deleted');
END;
