-- PostgreSQL twin of migrations/sqlite/0009_passkeys.sql.
CREATE TABLE passkeys (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    public_id       TEXT NOT NULL UNIQUE,
    user_id         BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    credential_id   TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    passkey         TEXT NOT NULL,
    sign_count      BIGINT NOT NULL DEFAULT 0,
    backup_eligible BOOLEAN NOT NULL DEFAULT FALSE,
    backup_state    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at      BIGINT NOT NULL,
    last_used_at    BIGINT
);
CREATE INDEX passkeys_user ON passkeys(user_id);

CREATE TABLE webauthn_challenges (
    key        TEXT NOT NULL,
    purpose    TEXT NOT NULL,
    state      TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (key, purpose)
);
CREATE INDEX webauthn_challenges_expiry ON webauthn_challenges(expires_at);

ALTER TABLE sign_in_attempts ADD COLUMN passkey_first BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE sign_in_attempts ADD COLUMN has_passkey BOOLEAN NOT NULL DEFAULT FALSE;

ALTER TABLE trusted_clients ADD COLUMN last_used_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE trusted_clients ADD COLUMN ip TEXT;
ALTER TABLE trusted_clients ADD COLUMN user_agent TEXT;
ALTER TABLE trusted_clients ADD COLUMN device TEXT;
UPDATE trusted_clients SET last_used_at = trusted_at;
