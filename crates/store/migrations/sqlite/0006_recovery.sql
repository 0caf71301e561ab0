-- Recovery: identifier-only sign-ins, compromised passwords, self-service unlock.

-- `needs_first_factor` attempts hold the identifier without a user when the
-- address has no account; `email_code`: the instance let an emailed code
-- stand for the password when the attempt began.
ALTER TABLE sign_in_attempts ADD COLUMN email_code INTEGER NOT NULL DEFAULT 0;

-- Marked by an operator, or found on the breached list at sign-in: the next
-- session gets the `reset-password` task.
ALTER TABLE users ADD COLUMN password_compromised INTEGER NOT NULL DEFAULT 0;

-- A locked account's owner proved the address on this client (`client_key`,
-- the hash of its client cookie): its tries count apart from the lock, which
-- stays for every other client, until `until` (the lock's end).
CREATE TABLE unlocks (
    subject    TEXT NOT NULL,
    client_key TEXT NOT NULL,
    until      INTEGER NOT NULL,
    PRIMARY KEY (subject, client_key)
);
CREATE INDEX unlocks_expiry ON unlocks(until);
