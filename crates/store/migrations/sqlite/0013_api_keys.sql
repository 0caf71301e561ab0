-- The Backend API's secret keys (`sk_live_…`), made and revoked with the
-- CLI. Only a key's SHA-256 is kept (a key is 256 random bits, so a fast
-- hash is enough); `id` (`ak_…`) names it in lists and audit rows. A
-- revoked key stays listed, refused.
CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    key_hash     TEXT NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER
);
