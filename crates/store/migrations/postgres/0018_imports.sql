-- PostgreSQL twin of migrations/sqlite/0018_imports.sql.
-- Where an imported user came from (`clerk:user_2ab…`): an import run
-- twice skips who is already here, and the source's ids map to ours.
ALTER TABLE users ADD COLUMN source_id TEXT;
CREATE UNIQUE INDEX users_source_id ON users (source_id);
