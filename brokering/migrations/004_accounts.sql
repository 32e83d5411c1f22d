-- Local accounts: argon2 password hashes, roles, school, and the sign-in throttle.
CREATE TABLE users (
    username        VARCHAR PRIMARY KEY,
    password_hash   VARCHAR NOT NULL,
    role            VARCHAR NOT NULL,
    school_id       VARCHAR,
    email           VARCHAR,
    disabled        BOOLEAN NOT NULL DEFAULT FALSE,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP,
    created_at      TIMESTAMP NOT NULL DEFAULT current_timestamp,
    created_by      VARCHAR NOT NULL,
    last_sign_in    TIMESTAMP
);
