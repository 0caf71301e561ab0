-- PostgreSQL twin of migrations/sqlite/0003_sign_up_client_trust.sql.

ALTER TABLE one_time_codes DROP CONSTRAINT IF EXISTS one_time_codes_attempt_key_fkey;
CREATE INDEX one_time_codes_expiry ON one_time_codes(expires_at);

ALTER TABLE sign_in_attempts ADD COLUMN client_known BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX sign_in_attempts_expiry ON sign_in_attempts(expires_at);

CREATE TABLE sign_ups (
    key           TEXT PRIMARY KEY,
    status        TEXT NOT NULL,
    email         TEXT NOT NULL,
    password_hash TEXT,
    user_id       BIGINT REFERENCES users(id) ON DELETE CASCADE,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL
);

CREATE TABLE trusted_clients (
    client_key TEXT NOT NULL,
    user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    trusted_at BIGINT NOT NULL,
    PRIMARY KEY (client_key, user_id)
);
CREATE INDEX sessions_expiry ON sessions(expires_at);
