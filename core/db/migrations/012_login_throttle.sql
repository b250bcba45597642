-- Failed logins, counted per (username, client) and per client (username = ''), so a spray of
-- wrong passwords from one address locks nobody who logs in from elsewhere (core/auth.py has
-- the policy). Kept in the database because several app servers may share it. A row means
-- nothing after expires_at (its counting window and any lock are over) and is pruned then.
-- username is capped by the core (64 characters), so is client.
CREATE TABLE login_throttle (
    username VARCHAR NOT NULL,
    client VARCHAR NOT NULL,
    failures INTEGER NOT NULL,
    window_start TIMESTAMPTZ NOT NULL,
    locked_from TIMESTAMPTZ,
    locked_until TIMESTAMPTZ,
    expires_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (username, client)
);
