-- Match requests and their decisions, and the needs register's edit history.
-- A leader asks for a candidate; the request goes to the candidate's school, whose leader
-- accepts or declines with a reason. Nothing here is ever deleted: the trail of who asked,
-- who answered and when is what makes the brokering accountable.

CREATE SEQUENCE match_request_id_seq START 1;
CREATE TABLE match_requests (
    request_id          INTEGER PRIMARY KEY DEFAULT nextval('match_request_id_seq'),
    need_id             VARCHAR NOT NULL,
    coach_ref           VARCHAR NOT NULL,
    coach_school_id     VARCHAR NOT NULL,   -- the school the request goes to
    coachee_ref         VARCHAR NOT NULL,
    skill_id            VARCHAR NOT NULL,
    mode                VARCHAR NOT NULL,   -- coaching | mentoring
    hours               DOUBLE NOT NULL,    -- hours a term the relationship will take
    match_score         DOUBLE,
    source              VARCHAR NOT NULL,   -- candidates | allocation
    batch_id            VARCHAR,            -- one allocation commit
    status              VARCHAR NOT NULL DEFAULT 'pending',  -- pending|accepted|declined|withdrawn
    note                VARCHAR,
    requested_by        VARCHAR NOT NULL,
    requested_role      VARCHAR NOT NULL,
    requested_school_id VARCHAR,
    requested_at        TIMESTAMP NOT NULL DEFAULT current_timestamp,
    decided_by          VARCHAR,
    decided_role        VARCHAR,
    decided_school_id   VARCHAR,
    decided_at          TIMESTAMP,
    reason              VARCHAR,
    coaching_start      DATE,               -- start_date of the coaching row an acceptance made
    pairing_id          VARCHAR             -- a JPD pairing made from it (pairings issue)
);

-- Every change to a need: created in the app, edited, matched, closed, withdrawn.
CREATE SEQUENCE need_event_id_seq START 1;
CREATE TABLE need_events (
    event_id    BIGINT PRIMARY KEY DEFAULT nextval('need_event_id_seq'),
    need_id     VARCHAR NOT NULL,
    at_time     TIMESTAMP NOT NULL DEFAULT current_timestamp,
    username    VARCHAR NOT NULL,
    role        VARCHAR NOT NULL,
    school_id   VARCHAR,
    action      VARCHAR NOT NULL,
    before_json VARCHAR,
    after_json  VARCHAR,
    reason      VARCHAR
);
