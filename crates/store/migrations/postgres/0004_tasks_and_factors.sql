-- PostgreSQL twin of migrations/sqlite/0004_tasks_and_factors.sql.
ALTER TABLE sessions ADD COLUMN task TEXT;
ALTER TABLE sessions ADD COLUMN verified_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN default_factor TEXT;
ALTER TABLE users ADD COLUMN pending_totp_secret TEXT;
ALTER TABLE users ADD COLUMN pending_phone TEXT;
