-- Sign-ups and client trust.

-- Codes now belong to a sign-in attempt or a sign-up, named by key alone;
-- the sweeper deletes expired ones (SQLite drops a foreign key by rebuilding).
CREATE TABLE one_time_codes_new (
    id          INTEGER PRIMARY KEY,
    attempt_key TEXT NOT NULL,
    purpose     TEXT NOT NULL,
    code_hash   TEXT NOT NULL,
    sent_at     INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    failures    INTEGER NOT NULL DEFAULT 0,
    used_at     INTEGER,
    UNIQUE (attempt_key, purpose)
);
INSERT INTO one_time_codes_new (id, attempt_key, purpose, code_hash, sent_at, expires_at, failures, used_at)
    SELECT id, attempt_key, purpose, code_hash, sent_at, expires_at, failures, used_at FROM one_time_codes;
DROP TABLE one_time_codes;
ALTER TABLE one_time_codes_new RENAME TO one_time_codes;
CREATE INDEX one_time_codes_expiry ON one_time_codes(expires_at);

-- Had the user completed a sign-in on this attempt's client before?
ALTER TABLE sign_in_attempts ADD COLUMN client_known INTEGER NOT NULL DEFAULT 0;
CREATE INDEX sign_in_attempts_expiry ON sign_in_attempts(expires_at);

-- A sign-up in progress; `key` is the SHA-256 of its cookie. No user exists
-- until the emailed code is verified. `password_hash` is NULL when the email
-- already had an account (such a sign-up can never complete).
CREATE TABLE sign_ups (
    key           TEXT PRIMARY KEY,
    status        TEXT NOT NULL,
    email         TEXT NOT NULL,
    password_hash TEXT,
    user_id       INTEGER REFERENCES users(id) ON DELETE CASCADE,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL
);

-- Which users completed a sign-in on which client (the SHA-256 of the
-- long-lived client cookie).
CREATE TABLE trusted_clients (
    client_key TEXT NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    trusted_at INTEGER NOT NULL,
    PRIMARY KEY (client_key, user_id)
);
CREATE INDEX sessions_expiry ON sessions(expires_at);
