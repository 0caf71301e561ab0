-- Failed sign-in tries per subject (the lower-cased email, known or not, so
-- that lockout says nothing about which accounts exist).
CREATE TABLE lockouts (
    subject      TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL DEFAULT 0,
    locked_until INTEGER
);

-- Fixed-window request counters per client IP and bucket.
CREATE TABLE rate_limits (
    bucket       TEXT NOT NULL,
    client       TEXT NOT NULL,
    window_start INTEGER NOT NULL,
    hits         INTEGER NOT NULL,
    PRIMARY KEY (bucket, client)
);

-- What happened, when, from where. Never secrets.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    event      TEXT NOT NULL,
    user_id    INTEGER,
    identifier TEXT,
    ip         TEXT,
    user_agent TEXT,
    detail     TEXT
);
CREATE INDEX audit_log_user ON audit_log(user_id);
