-- The device a native client names (`X-Device-Model`), for the sessions
-- list; browsers are named from their user agent.
ALTER TABLE sessions ADD COLUMN device TEXT;
