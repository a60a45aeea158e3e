-- Per-user tokens for the JSON API. Only a SHA-256 of the token is stored (the token itself is
-- 256 random bits shown once, so a fast hash is enough); the prefix lets a user tell tokens apart.
-- Tokens are revoked, never deleted: audit rows name the token a change came through.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY NOT NULL,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    name         TEXT NOT NULL CHECK (length(trim(name)) > 0),
    -- Lower-case hex SHA-256 of the whole token.
    token_hash   TEXT NOT NULL UNIQUE
                 CHECK (length(token_hash) = 64 AND token_hash NOT GLOB '*[^0-9a-f]*'),
    token_prefix TEXT NOT NULL CHECK (length(token_prefix) BETWEEN 4 AND 16),
    expires_at   TIMESTAMP CHECK (datetime(expires_at) IS substr(expires_at, 1, 19)),
    last_used_at TIMESTAMP CHECK (datetime(last_used_at) IS substr(last_used_at, 1, 19)),
    revoked_at   TIMESTAMP CHECK (datetime(revoked_at) IS substr(revoked_at, 1, 19)),
    revoked_by   INTEGER REFERENCES users (id) ON DELETE RESTRICT,
    created_at   TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                 CHECK (datetime(created_at) IS substr(created_at, 1, 19)),
    created_by   INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    updated_at   TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                 CHECK (datetime(updated_at) IS substr(updated_at, 1, 19)),
    updated_by   INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    row_version  INTEGER NOT NULL DEFAULT 1 CHECK (row_version >= 1),
    CONSTRAINT api_tokens_revocation_complete CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
);
CREATE INDEX api_tokens_user_id_idx ON api_tokens (user_id);
CREATE INDEX api_tokens_revoked_by_idx ON api_tokens (revoked_by);
CREATE INDEX api_tokens_created_by_idx ON api_tokens (created_by);
CREATE INDEX api_tokens_updated_by_idx ON api_tokens (updated_by);

CREATE TRIGGER api_tokens_row_version BEFORE UPDATE ON api_tokens
WHEN NEW.row_version IS NOT OLD.row_version + 1
  OR NEW.created_at IS NOT OLD.created_at OR NEW.created_by IS NOT OLD.created_by
BEGIN
    SELECT RAISE(ABORT, 'api_tokens: an update must set row_version = row_version + 1 and keep created_at/created_by');
END;
