-- PostgreSQL twin of migrations/sqlite/0011_native_clients.sql.
-- A native client's tokens (what a browser keeps in cookies), kept here
-- rather than inside its client token: the token is a sealed handle to this
-- row, so every copy of it sees the same sign-in, sign-up and session
-- (Clerk's SDKs keep the token of whichever answer arrives last). Each
-- token is sealed under MFA_SECRET_KEY. A row lives 400 days from its
-- last change, as the client cookie does.
CREATE TABLE native_clients (
    id         TEXT PRIMARY KEY,
    client     TEXT,
    sign_in    TEXT,
    sign_up    TEXT,
    session    TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX native_clients_expires ON native_clients(expires_at);
