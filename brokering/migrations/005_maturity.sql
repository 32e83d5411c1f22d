-- Leaders' own judgement of where the alliance (or a school) stands on the maturity model,
-- kept beside the suggested stage. Append-only: a new judgement is a new row; history stays.
CREATE SEQUENCE maturity_judgement_seq START 1;
CREATE TABLE maturity_judgements (
    judgement_id BIGINT PRIMARY KEY DEFAULT nextval('maturity_judgement_seq'),
    scope        VARCHAR NOT NULL,      -- 'alliance' or a school_id
    strand       VARCHAR NOT NULL,      -- 'staff information' | 'mentoring and coaching'
    stage        VARCHAR NOT NULL,      -- Beginning | Developing | Embedding | Leading
    suggested    VARCHAR,               -- the suggested stage when the judgement was made
    note         VARCHAR,
    recorded_by  VARCHAR NOT NULL,
    role         VARCHAR NOT NULL,
    recorded_at  TIMESTAMP NOT NULL DEFAULT current_timestamp
);
