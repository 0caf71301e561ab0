-- A banned user (Clerk's banUser) signs in no more: no new session is
-- written for them and their sessions read as none, until unbanned.
ALTER TABLE users ADD COLUMN banned INTEGER NOT NULL DEFAULT 0;
