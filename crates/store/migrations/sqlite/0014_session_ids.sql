-- A session's public id (`sess_…`, the id apps and Clerk's SDKs name it
-- by), kept so that the Backend API finds a session by it. Sessions from
-- before this get theirs when a server starts (it is a hash of the key,
-- which SQL cannot compute here).
ALTER TABLE sessions ADD COLUMN public_id TEXT;
CREATE UNIQUE INDEX sessions_public_id ON sessions(public_id);
