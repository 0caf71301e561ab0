-- Factors are rows: one per credential (an authenticator app, a phone), so
-- that a user can hold several and new kinds (passkeys) need no new columns.
-- `state` is 'active', or 'pending' until its first code proves it.
CREATE TABLE credentials (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,    -- 'totp' or 'phone'
    state      TEXT NOT NULL,    -- 'active' or 'pending'
    secret     TEXT,             -- totp: the sealed secret
    label      TEXT,             -- phone: the E.164 number
    last_step  INTEGER,          -- totp: the last accepted step (each code works once)
    created_at INTEGER NOT NULL,
    -- One of each kind and state for now (the account pages show one of each).
    UNIQUE (user_id, kind, state)
);

INSERT INTO credentials (user_id, kind, state, secret, last_step, created_at)
    SELECT id, 'totp', 'active', totp_secret, totp_last_step, created_at FROM users WHERE totp_secret IS NOT NULL;
INSERT INTO credentials (user_id, kind, state, secret, created_at)
    SELECT id, 'totp', 'pending', pending_totp_secret, created_at FROM users WHERE pending_totp_secret IS NOT NULL;
INSERT INTO credentials (user_id, kind, state, label, created_at)
    SELECT id, 'phone', 'active', phone, created_at FROM users WHERE phone IS NOT NULL;
INSERT INTO credentials (user_id, kind, state, label, created_at)
    SELECT id, 'phone', 'pending', pending_phone, created_at FROM users WHERE pending_phone IS NOT NULL;

ALTER TABLE users DROP COLUMN phone;
ALTER TABLE users DROP COLUMN totp_secret;
ALTER TABLE users DROP COLUMN totp_last_step;
ALTER TABLE users DROP COLUMN pending_totp_secret;
ALTER TABLE users DROP COLUMN pending_phone;
