-- Passkeys, and trusted clients a user can see and revoke.

-- A passkey (WebAuthn credential), one row each. `passkey`: webauthn-rs's
-- record as JSON (public key, counter, flags); `sign_count` and the backup
-- flags are copied out so that the statement that accepts a use checks the
-- counter (a counter going back is a cloned authenticator).
CREATE TABLE passkeys (
    id              INTEGER PRIMARY KEY,
    public_id       TEXT NOT NULL UNIQUE,
    user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    credential_id   TEXT NOT NULL UNIQUE,  -- base64url, as browsers send it
    name            TEXT NOT NULL,
    passkey         TEXT NOT NULL,
    sign_count      INTEGER NOT NULL DEFAULT 0,
    backup_eligible INTEGER NOT NULL DEFAULT 0,
    backup_state    INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    last_used_at    INTEGER
);
CREATE INDEX passkeys_user ON passkeys(user_id);

-- A WebAuthn ceremony in progress: its challenge state (JSON), stored with
-- the sign-in attempt or session (`key`) it belongs to, so that any node can
-- finish it; taken (deleted) by the one answer it allows.
CREATE TABLE webauthn_challenges (
    key        TEXT NOT NULL,
    purpose    TEXT NOT NULL,
    state      TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (key, purpose)
);
CREATE INDEX webauthn_challenges_expiry ON webauthn_challenges(expires_at);

-- An attempt may start with a passkey (no identifier), and a user's passkey
-- is one of their second factors.
ALTER TABLE sign_in_attempts ADD COLUMN passkey_first INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sign_in_attempts ADD COLUMN has_passkey INTEGER NOT NULL DEFAULT 0;

-- Trusted clients are listed beside the sessions: where and when last used.
ALTER TABLE trusted_clients ADD COLUMN last_used_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE trusted_clients ADD COLUMN ip TEXT;
ALTER TABLE trusted_clients ADD COLUMN user_agent TEXT;
ALTER TABLE trusted_clients ADD COLUMN device TEXT;
UPDATE trusted_clients SET last_used_at = trusted_at;
