-- Foundation: schools, pseudonymous staff, the taxonomy, evidence, coaching, needs,
-- the import log and the audit log. The store never holds a person's name.

CREATE TABLE schools (
    school_id   VARCHAR PRIMARY KEY,
    name        VARCHAR NOT NULL,
    phase       VARCHAR NOT NULL,
    is_hub      BOOLEAN NOT NULL DEFAULT FALSE,
    postcode    VARCHAR,
    latitude    DOUBLE,
    longitude   DOUBLE
);

CREATE TABLE skills (
    skill_id    VARCHAR PRIMARY KEY,
    name        VARCHAR NOT NULL,
    area        VARCHAR NOT NULL,
    kind        VARCHAR NOT NULL,
    phases      VARCHAR[] NOT NULL,
    depends_on  VARCHAR[] NOT NULL,
    description VARCHAR
);

CREATE TABLE skill_aliases (
    alias       VARCHAR PRIMARY KEY,
    skill_id    VARCHAR NOT NULL
);

CREATE TABLE staff (
    staff_ref        VARCHAR PRIMARY KEY,
    school_id        VARCHAR NOT NULL,
    role             VARCHAR NOT NULL,
    phases           VARCHAR[] NOT NULL,
    subjects         VARCHAR[] NOT NULL,
    line_manager_ref VARCHAR,
    share_consent    BOOLEAN NOT NULL DEFAULT FALSE,
    consent_date     DATE,
    coach_trained    BOOLEAN NOT NULL DEFAULT FALSE,
    mentor_trained   BOOLEAN NOT NULL DEFAULT FALSE,
    capacity_hours   DOUBLE NOT NULL DEFAULT 0,
    left_on          DATE
);

-- Natural key (staff_ref, skill_id, evidence_type, date, recorded_by): enforced by the
-- importer's anti-join rather than a PRIMARY KEY, which bloats bulk loads (SETUP-NOTES).
CREATE TABLE evidence (
    staff_ref      VARCHAR NOT NULL,
    skill_id       VARCHAR NOT NULL,
    evidence_type  VARCHAR NOT NULL,
    strength       TINYINT NOT NULL,
    date           DATE NOT NULL,
    recorded_by    VARCHAR NOT NULL,
    note           VARCHAR,
    phase          VARCHAR,
    skill_text     VARCHAR,
    match_score    DOUBLE,
    import_id      INTEGER
);

CREATE TABLE coaching (
    coach_ref        VARCHAR NOT NULL,
    coachee_ref      VARCHAR NOT NULL,
    skill_id         VARCHAR NOT NULL,
    mode             VARCHAR NOT NULL,
    start_date       DATE NOT NULL,
    end_date         DATE,
    outcome_strength TINYINT,
    feedback_score   TINYINT,
    feedback_text    VARCHAR,
    hours            DOUBLE,
    import_id        INTEGER
);

CREATE TABLE needs (
    need_id      VARCHAR PRIMARY KEY,
    staff_ref    VARCHAR NOT NULL,
    skill_id     VARCHAR NOT NULL,
    priority     VARCHAR NOT NULL,
    wanted_role  VARCHAR NOT NULL,
    raised_on    DATE NOT NULL,
    status       VARCHAR NOT NULL,
    hours        DOUBLE,
    note         VARCHAR
);

-- Consent is a recorded fact with a date; every change is kept (CONTRACT: Consent).
CREATE TABLE consent_events (
    staff_ref     VARCHAR NOT NULL,
    share_consent BOOLEAN NOT NULL,
    consent_date  DATE,
    source        VARCHAR NOT NULL,
    recorded_by   VARCHAR NOT NULL,
    recorded_at   TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE SEQUENCE import_id_seq START 1;
CREATE TABLE imports (
    import_id    INTEGER PRIMARY KEY,
    imported_at  TIMESTAMP NOT NULL DEFAULT current_timestamp,
    username     VARCHAR NOT NULL,
    files        VARCHAR NOT NULL,
    outcome      VARCHAR NOT NULL,
    rows_added   INTEGER NOT NULL,
    rows_updated INTEGER NOT NULL,
    detail       VARCHAR
);

CREATE SEQUENCE audit_id_seq START 1;
CREATE TABLE audit_log (
    audit_id   BIGINT PRIMARY KEY DEFAULT nextval('audit_id_seq'),
    at_time    TIMESTAMP NOT NULL DEFAULT current_timestamp,
    username   VARCHAR NOT NULL,
    role       VARCHAR NOT NULL,
    school_id  VARCHAR,
    action     VARCHAR NOT NULL,
    detail     VARCHAR
);
