-- Session tasks, re-verification, and managing second factors.

-- A pending session carries a task (e.g. `setup-mfa`) and counts as signed
-- out for everything but the task. `verified_at`: when the password or a
-- second factor was last entered in this session (changes need it recent).
ALTER TABLE sessions ADD COLUMN task TEXT;
ALTER TABLE sessions ADD COLUMN verified_at INTEGER NOT NULL DEFAULT 0;

-- The factor offered first at sign-in (`totp` or `phone_code`).
ALTER TABLE users ADD COLUMN default_factor TEXT;
-- Enrolments in progress: a TOTP secret (sealed) not yet confirmed with a
-- code, a phone number not yet confirmed with an SMS code.
ALTER TABLE users ADD COLUMN pending_totp_secret TEXT;
ALTER TABLE users ADD COLUMN pending_phone TEXT;
