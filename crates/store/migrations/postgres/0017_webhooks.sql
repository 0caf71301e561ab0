-- PostgreSQL twin of migrations/sqlite/0017_webhooks.sql.
-- Webhooks. An endpoint is where an app's backend hears of changes: its
-- URL, the event types it wants (space-separated, or `*`), and its
-- `whsec_…` secret, sealed with the server's key (it signs every delivery,
-- so it must open again; a copy of the database holds only ciphertext).
CREATE TABLE webhook_endpoints (
    id         TEXT PRIMARY KEY,
    url        TEXT NOT NULL,
    secret     TEXT NOT NULL,
    events     TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- The delivery queue: a row per event and endpoint, written in the unit of
-- the change it tells of. `msg_id` (`msg_…`) is the same on every try. A
-- node takes a due row by moving `next_at` past its try (a lease): a node
-- killed mid-try leaves the row due again. `payload` is written at the
-- first try and sent unchanged after. `state`: pending, delivered, dead.
CREATE TABLE webhook_deliveries (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    msg_id      TEXT NOT NULL,
    endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
    event       TEXT NOT NULL,
    user_id     TEXT,
    session_id  TEXT,
    detail      TEXT,
    ip          TEXT,
    user_agent  TEXT,
    at          BIGINT NOT NULL,
    payload     TEXT,
    state       TEXT NOT NULL DEFAULT 'pending',
    attempts    BIGINT NOT NULL DEFAULT 0,
    next_at     BIGINT NOT NULL,
    last_error  TEXT,
    done_at     BIGINT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_at);
CREATE INDEX webhook_deliveries_msg ON webhook_deliveries (msg_id);
