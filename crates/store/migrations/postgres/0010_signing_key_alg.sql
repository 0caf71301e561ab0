-- PostgreSQL twin of migrations/sqlite/0010_signing_key_alg.sql.
ALTER TABLE signing_keys ADD COLUMN alg TEXT NOT NULL DEFAULT 'EdDSA';
