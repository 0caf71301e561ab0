-- Session tokens: a public user id, factor times per session, signing keys.

-- `sub` in session tokens: stable and public, never the row id.
ALTER TABLE users ADD COLUMN public_id TEXT;
UPDATE users SET public_id = 'user_' || replace(gen_random_uuid()::text, '-', '') WHERE public_id IS NULL;
CREATE UNIQUE INDEX users_public_id ON users(public_id);

-- `fva` in session tokens: when this session last verified each factor
-- (sign-in, re-verification); NULL: no second factor in this session.
ALTER TABLE sessions ADD COLUMN first_factor_at BIGINT NOT NULL DEFAULT 0;
UPDATE sessions SET first_factor_at = created_at;
ALTER TABLE sessions ADD COLUMN second_factor_at BIGINT;

-- Ed25519 keys that sign session tokens, shared by every node. `private_key`
-- is sealed under MFA_SECRET_KEY. A key is published (in the JWKS) from its
-- creation, signs from `signs_from` to `signs_until` (NULL: no successor
-- yet), and stays published until its last token has expired.
CREATE TABLE signing_keys (
    kid         TEXT PRIMARY KEY,
    public_key  TEXT NOT NULL,
    private_key TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    signs_from  BIGINT NOT NULL,
    signs_until BIGINT
);
