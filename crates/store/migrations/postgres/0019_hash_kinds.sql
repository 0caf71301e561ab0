-- PostgreSQL twin of migrations/sqlite/0019_hash_kinds.sql.
-- The kind of an imported password hash (`$2b$10$`, its algorithm and
-- parameters less salt and key), or NULL for ours: the password checks'
-- floor is measured from the kinds still stored. Kept as a column because
-- the parameters' length varies (argon2's, PBKDF2's), which no portable
-- SQL cuts; set by the import, cleared by the re-hash.
ALTER TABLE users ADD COLUMN hash_kind TEXT;
UPDATE users SET hash_kind = CASE WHEN password_hash LIKE '$2%'
    THEN substr(password_hash, 1, 7) ELSE substr(password_hash, 1, 23) END
    WHERE password_hash NOT LIKE '$argon2id$%' AND password_hash <> '';
CREATE INDEX users_hash_kind ON users (hash_kind) WHERE hash_kind IS NOT NULL;
