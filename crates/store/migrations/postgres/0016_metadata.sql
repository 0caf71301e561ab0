-- PostgreSQL twin of migrations/sqlite/0016_metadata.sql.
-- User metadata as Clerk keeps it: three JSON objects (as text, checked by
-- the domain: an object, 8 KB, 16 levels). Public: the user reads it,
-- tokens may carry it; private: the app's backend alone; unsafe: the user
-- writes it too.
ALTER TABLE users ADD COLUMN public_metadata TEXT NOT NULL DEFAULT '{}';
ALTER TABLE users ADD COLUMN private_metadata TEXT NOT NULL DEFAULT '{}';
ALTER TABLE users ADD COLUMN unsafe_metadata TEXT NOT NULL DEFAULT '{}';
