-- Users (who may sign in, with one role), sites (the centres), and which sites each user works
-- for. Patients of a site are visible only to users linked to it (analysts see all, de-identified).
--
-- Conventions used by every migration of this registry (see migrations/README.md):
-- * dates are ISO text `YYYY-MM-DD` (CHECK date(x) IS x); timestamps are UTC text
--   `YYYY-MM-DD HH:MM:SS[.fff]` (CHECK datetime(x) IS substr(x, 1, 19));
-- * booleans are 0/1; codes are upper-case text from the domain vocabularies;
-- * every entity row carries created_at/by, updated_at/by and row_version, which every UPDATE
--   must raise by exactly one (optimistic concurrency: the web app's stale-edit refusal);
-- * foreign keys are ON DELETE RESTRICT: nothing clinical disappears as a side effect.

CREATE TABLE users (
    id                  INTEGER PRIMARY KEY NOT NULL,
    username            TEXT NOT NULL UNIQUE
                        CHECK (length(username) BETWEEN 3 AND 64
                               AND username NOT GLOB '*[^a-z0-9._-]*'),
    -- Printed name shown with an e-signature (21 CFR 11.50).
    full_name           TEXT NOT NULL CHECK (length(trim(full_name)) > 0),
    email               TEXT CHECK (email IS NULL OR email LIKE '%_@_%'),
    -- argon2id PHC string; NULL means the account cannot sign in (the system account, or a
    -- password not yet set).
    password_hash       TEXT CHECK (password_hash IS NULL OR password_hash GLOB '$argon2id$*'),
    role                TEXT NOT NULL CHECK (role IN ('ADMIN', 'COORDINATOR', 'MONITOR', 'ANALYST')),
    active              BOOLEAN NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    failed_login_count  INTEGER NOT NULL DEFAULT 0 CHECK (failed_login_count >= 0),
    locked_until        TIMESTAMP CHECK (datetime(locked_until) IS substr(locked_until, 1, 19)),
    last_login_at       TIMESTAMP CHECK (datetime(last_login_at) IS substr(last_login_at, 1, 19)),
    password_changed_at TIMESTAMP
                        CHECK (datetime(password_changed_at) IS substr(password_changed_at, 1, 19)),
    created_at          TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                        CHECK (datetime(created_at) IS substr(created_at, 1, 19)),
    created_by          INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    updated_at          TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                        CHECK (datetime(updated_at) IS substr(updated_at, 1, 19)),
    updated_by          INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    row_version         INTEGER NOT NULL DEFAULT 1 CHECK (row_version >= 1)
);
CREATE INDEX users_created_by_idx ON users (created_by);
CREATE INDEX users_updated_by_idx ON users (updated_by);

-- The system account (id 1) authors what no person typed: bootstrap rows, the demo cohort,
-- imports. It cannot sign in.
INSERT INTO users (id, username, full_name, password_hash, role, active, created_by, updated_by)
VALUES (1, 'system', 'Registry system account', NULL, 'ADMIN', 0, 1, 1);

CREATE TABLE sites (
    id          INTEGER PRIMARY KEY NOT NULL,
    -- Short stable code shown in lists and exports, e.g. 'BCN'.
    code        TEXT NOT NULL UNIQUE
                CHECK (length(code) BETWEEN 2 AND 12 AND code GLOB '[A-Z]*'
                       AND code NOT GLOB '*[^A-Z0-9_]*'),
    name        TEXT NOT NULL CHECK (length(trim(name)) > 0),
    active      BOOLEAN NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at  TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                CHECK (datetime(created_at) IS substr(created_at, 1, 19)),
    created_by  INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    updated_at  TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                CHECK (datetime(updated_at) IS substr(updated_at, 1, 19)),
    updated_by  INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    row_version INTEGER NOT NULL DEFAULT 1 CHECK (row_version >= 1)
);
CREATE INDEX sites_created_by_idx ON sites (created_by);
CREATE INDEX sites_updated_by_idx ON sites (updated_by);

-- Which sites a user works for (coordinators and monitors see only these).
CREATE TABLE user_sites (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    site_id    INTEGER NOT NULL REFERENCES sites (id) ON DELETE RESTRICT,
    created_at TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
               CHECK (datetime(created_at) IS substr(created_at, 1, 19)),
    created_by INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    PRIMARY KEY (user_id, site_id)
);
CREATE INDEX user_sites_site_id_idx ON user_sites (site_id);
CREATE INDEX user_sites_created_by_idx ON user_sites (created_by);

-- Optimistic concurrency: every UPDATE raises row_version by exactly one and keeps the
-- creation stamp.
CREATE TRIGGER users_row_version BEFORE UPDATE ON users
WHEN NEW.row_version IS NOT OLD.row_version + 1
  OR NEW.created_at IS NOT OLD.created_at OR NEW.created_by IS NOT OLD.created_by
BEGIN
    SELECT RAISE(ABORT, 'users: an update must set row_version = row_version + 1 and keep created_at/created_by');
END;

CREATE TRIGGER sites_row_version BEFORE UPDATE ON sites
WHEN NEW.row_version IS NOT OLD.row_version + 1
  OR NEW.created_at IS NOT OLD.created_at OR NEW.created_by IS NOT OLD.created_by
BEGIN
    SELECT RAISE(ABORT, 'sites: an update must set row_version = row_version + 1 and keep created_at/created_by');
END;
