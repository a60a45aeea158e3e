-- Logged-in web sessions, kept in the database as well as in the server's memory, so that a
-- restart of the server (an upgrade, a crash) neither logs every coordinator out nor loses the
-- form they were about to save (its CSRF token lives in the session). Server state, not registry
-- data: not audited, no bookkeeping columns; a row goes when its session ends.
-- The session key the cookie carries is stored only as its SHA-256 (lower-case hex), like an API
-- token: reading this table does not give a usable session.
CREATE TABLE web_sessions (
    id         INTEGER PRIMARY KEY NOT NULL,
    key_hash   TEXT NOT NULL UNIQUE
               CHECK (length(key_hash) = 64 AND key_hash NOT GLOB '*[^0-9a-f]*'),
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    -- The session's state as a JSON object of strings (who, when issued, when last seen, the
    -- password fingerprint, the CSRF token).
    state      TEXT NOT NULL CHECK (json_valid(state) AND json_type(state) = 'object'),
    -- After this the state is of no use (idle limit plus the grace in which an expired
    -- session's last form is still kept for its user) and the row may be deleted.
    expires_at TIMESTAMP NOT NULL CHECK (datetime(expires_at) IS substr(expires_at, 1, 19))
);
CREATE INDEX web_sessions_user_id_idx ON web_sessions (user_id);

-- The key that encrypts the session cookie, when none is configured (REGISTRY_SESSION_KEY):
-- made once, on the first start, so that cookies stay readable across restarts. One row.
CREATE TABLE web_cookie_key (
    id         INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    key_hex    TEXT NOT NULL CHECK (length(key_hex) = 128 AND key_hex NOT GLOB '*[^0-9a-f]*'),
    created_at TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
               CHECK (datetime(created_at) IS substr(created_at, 1, 19))
);
