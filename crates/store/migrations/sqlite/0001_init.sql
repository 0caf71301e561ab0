-- Users and their factors. Secrets are hashed; emails are stored lower-cased.
CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    email          TEXT NOT NULL UNIQUE,
    password_hash  TEXT NOT NULL,
    phone          TEXT,              -- E.164; a second factor when set
    totp_secret    TEXT,              -- base32; a second factor when set
    totp_last_step INTEGER,           -- last accepted TOTP step: each code works once
    created_at     INTEGER NOT NULL
);

CREATE TABLE backup_codes (
    id        INTEGER PRIMARY KEY,
    user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    salt      TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    used_at   INTEGER
);
CREATE INDEX backup_codes_user ON backup_codes(user_id);

-- A sign-in in progress; `key` is the SHA-256 of the attempt cookie.
CREATE TABLE sign_in_attempts (
    key         TEXT PRIMARY KEY,
    status      TEXT NOT NULL,
    user_id     INTEGER REFERENCES users(id) ON DELETE CASCADE,
    identifier  TEXT,
    has_phone   INTEGER NOT NULL DEFAULT 0,
    has_totp    INTEGER NOT NULL DEFAULT 0,
    has_backup  INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);

-- One pending code per attempt and purpose; a resend replaces it.
CREATE TABLE one_time_codes (
    id          INTEGER PRIMARY KEY,
    attempt_key TEXT NOT NULL REFERENCES sign_in_attempts(key) ON DELETE CASCADE,
    purpose     TEXT NOT NULL,
    code_hash   TEXT NOT NULL,
    sent_at     INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    failures    INTEGER NOT NULL DEFAULT 0,
    used_at     INTEGER,
    UNIQUE (attempt_key, purpose)
);

-- `key` is the SHA-256 of the session cookie.
CREATE TABLE sessions (
    key            TEXT PRIMARY KEY,
    user_id        INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at     INTEGER NOT NULL,
    last_active_at INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    ip             TEXT,
    user_agent     TEXT
);
CREATE INDEX sessions_user ON sessions(user_id);

-- The development sender's messages.
CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY,
    channel    TEXT NOT NULL,
    recipient  TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
