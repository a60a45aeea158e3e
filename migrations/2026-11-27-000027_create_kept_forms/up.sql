-- Forms kept for their user instead of being lost (posted just after the session expired, or
-- from a page of an earlier session of the same user), waiting for that user to review and save
-- them: kept here as well as in the server's memory, so a restart of the server does not lose
-- them. The values as typed, never a password or a CSRF token. Server state, not registry data:
-- not audited, no bookkeeping columns; a row goes when its form is sent on, discarded or expires.
-- The token in the review page's URL is stored only as its SHA-256 (lower-case hex).
CREATE TABLE kept_forms (
    id         INTEGER PRIMARY KEY NOT NULL,
    token_hash TEXT NOT NULL UNIQUE
               CHECK (length(token_hash) = 64 AND token_hash NOT GLOB '*[^0-9a-f]*'),
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    -- Where the form was going: a path (and query) of this site.
    target     TEXT NOT NULL CHECK (substr(target, 1, 1) = '/' AND substr(target, 1, 2) <> '//'),
    -- The fields as [name, value] pairs in form order (a JSON array of two-string arrays).
    pairs      TEXT NOT NULL CHECK (json_valid(pairs) AND json_type(pairs) = 'array'),
    expires_at TIMESTAMP NOT NULL CHECK (datetime(expires_at) IS substr(expires_at, 1, 19))
);
CREATE INDEX kept_forms_user_id_idx ON kept_forms (user_id);
