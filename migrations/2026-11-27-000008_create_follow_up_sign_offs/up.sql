-- The sign-off history of follow-up forms, append-only like the audit log: who completed,
-- verified, e-signed, locked or unlocked a form, when, and (for a signature) its meaning, with
-- the signer's printed name as it was at signing (21 CFR 11.50; re-entering the password is the
-- web app's part). An unlock carries its reason. follow_ups.locked_* mirrors the current lock.
CREATE TABLE follow_up_sign_offs (
    id                  INTEGER PRIMARY KEY NOT NULL,
    follow_up_id        INTEGER NOT NULL REFERENCES follow_ups (id) ON DELETE RESTRICT,
    act                 TEXT NOT NULL CHECK (act IN ('COMPLETE', 'VERIFY', 'SIGN', 'LOCK', 'UNLOCK')),
    user_id             INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    -- users.full_name at the time of the act.
    printed_name        TEXT NOT NULL CHECK (length(trim(printed_name)) > 0),
    performed_at        TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                        CHECK (datetime(performed_at) IS substr(performed_at, 1, 19)),
    -- What an e-signature means (SIGN only).
    signature_meaning   TEXT CHECK (signature_meaning IN ('REVIEW', 'APPROVAL', 'RESPONSIBILITY', 'AUTHORSHIP')),
    -- Why (required to UNLOCK).
    reason              TEXT CHECK (reason IS NULL OR length(trim(reason)) > 0),
    CONSTRAINT follow_up_sign_offs_signature_has_meaning
        CHECK ((act = 'SIGN') = (signature_meaning IS NOT NULL)),
    CONSTRAINT follow_up_sign_offs_unlock_has_reason CHECK (act <> 'UNLOCK' OR reason IS NOT NULL)
);
CREATE INDEX follow_up_sign_offs_follow_up_id_idx ON follow_up_sign_offs (follow_up_id, performed_at);
CREATE INDEX follow_up_sign_offs_user_id_idx ON follow_up_sign_offs (user_id);

CREATE TRIGGER follow_up_sign_offs_no_update BEFORE UPDATE ON follow_up_sign_offs
BEGIN
    SELECT RAISE(ABORT, 'follow_up_sign_offs is append-only: rows cannot be updated');
END;

CREATE TRIGGER follow_up_sign_offs_no_delete BEFORE DELETE ON follow_up_sign_offs
BEGIN
    SELECT RAISE(ABORT, 'follow_up_sign_offs is append-only: rows cannot be deleted');
END;

-- A locked follow-up is read-only: the only update allowed is the unlock itself, which clears
-- locked_at and must follow an UNLOCK sign-off (with its reason) recorded since the lock.
CREATE TRIGGER follow_ups_locked_no_update BEFORE UPDATE ON follow_ups
WHEN OLD.locked_at IS NOT NULL
 AND (NEW.locked_at IS NOT NULL
      OR NOT EXISTS (SELECT 1 FROM follow_up_sign_offs
                     WHERE follow_up_id = OLD.id AND act = 'UNLOCK' AND performed_at >= OLD.locked_at))
BEGIN
    SELECT RAISE(ABORT, 'follow_ups: this follow-up is locked; an admin must unlock it, with a reason, before it can change');
END;

