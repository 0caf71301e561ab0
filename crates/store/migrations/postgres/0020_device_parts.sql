-- A trusted client's `device` held words made from its user agent, in
-- English ("Chrome on Linux"), or the model a native client named. It now
-- holds only the model, as a session's does: the parts are read from
-- `user_agent`, and each page words them in its own language. A model is
-- kept; the words go.
UPDATE trusted_clients SET device = NULL
    WHERE device IN ('Android app', 'iOS app', 'Native app', 'Unknown device',
        'Edge', 'Firefox', 'Chrome', 'Safari', 'curl',
        'Android', 'iOS', 'iPadOS', 'Windows', 'macOS', 'Linux')
    OR device LIKE '% on %';
