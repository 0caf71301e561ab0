-- PostgreSQL twin of migrations/sqlite/0001_init.sql: same tables and columns.
CREATE TABLE users (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email          TEXT NOT NULL UNIQUE,
    password_hash  TEXT NOT NULL,
    phone          TEXT,
    totp_secret    TEXT,
    totp_last_step BIGINT,
    created_at     BIGINT NOT NULL
);

CREATE TABLE backup_codes (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id   BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    salt      TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    used_at   BIGINT
);
CREATE INDEX backup_codes_user ON backup_codes(user_id);

CREATE TABLE sign_in_attempts (
    key         TEXT PRIMARY KEY,
    status      TEXT NOT NULL,
    user_id     BIGINT REFERENCES users(id) ON DELETE CASCADE,
    identifier  TEXT,
    has_phone   BOOLEAN NOT NULL DEFAULT FALSE,
    has_totp    BOOLEAN NOT NULL DEFAULT FALSE,
    has_backup  BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);

CREATE TABLE one_time_codes (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    attempt_key TEXT NOT NULL REFERENCES sign_in_attempts(key) ON DELETE CASCADE,
    purpose     TEXT NOT NULL,
    code_hash   TEXT NOT NULL,
    sent_at     BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    failures    BIGINT NOT NULL DEFAULT 0,
    used_at     BIGINT,
    UNIQUE (attempt_key, purpose)
);

CREATE TABLE sessions (
    key            TEXT PRIMARY KEY,
    user_id        BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at     BIGINT NOT NULL,
    last_active_at BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL,
    ip             TEXT,
    user_agent     TEXT
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE outbox (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel    TEXT NOT NULL,
    recipient  TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
