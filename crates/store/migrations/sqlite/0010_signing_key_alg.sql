-- Session tokens signed with RSA (RS256, the default: what Clerk's backend
-- SDK takes) or Ed25519 (EdDSA). Keys made before this are Ed25519. For an
-- RSA key, `public_key` holds the modulus (the exponent is 65537) and
-- `private_key` the sealed PKCS#1 document.
ALTER TABLE signing_keys ADD COLUMN alg TEXT NOT NULL DEFAULT 'EdDSA';
