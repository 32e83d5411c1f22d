-- The sign-in throttle, one row per account name tried (known or not) and per source
-- address, keyed by a SHA-256 of the name or address (never the text typed). A row is
-- counted and checked by one statement (brokering/throttle.py), so simultaneous attempts
-- are all counted. Replaces users.failed_attempts / users.next_attempt_at (left unused).
CREATE TABLE sign_in_throttle (
    key             VARCHAR PRIMARY KEY,
    kind            VARCHAR NOT NULL,
    failures        INTEGER NOT NULL,
    blocked         BOOLEAN NOT NULL DEFAULT FALSE,
    next_attempt_at TIMESTAMP,
    updated_at      TIMESTAMP NOT NULL
);
