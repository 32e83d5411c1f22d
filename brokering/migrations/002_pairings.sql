-- Joint practice development (JPD) pairings and their activity and evidence log.
--
-- History is append-only: a change to a pairing adds a row to pairing_versions (with its
-- participants in pairing_participants under the same version); a change to a log entry adds
-- a row to pairing_entries with the next version; a mistaken entry is withdrawn by a new
-- version with withdrawn = TRUE. Nothing here is ever updated or deleted. The views give the
-- current state.

CREATE TABLE pairing_versions (
    pairing_id             VARCHAR NOT NULL,
    version                INTEGER NOT NULL,
    skill_id               VARCHAR NOT NULL,
    skill_text             VARCHAR,
    work_kind              VARCHAR NOT NULL,
    status                 VARCHAR NOT NULL,
    start_date             DATE NOT NULL,
    review_date            DATE,
    donor_contribution     VARCHAR,
    recipient_contribution VARCHAR,
    planned_sessions       INTEGER,
    planned_hours          DOUBLE,
    cover_hours            DOUBLE,
    travel_hours           DOUBLE,
    disciplines            VARCHAR[] NOT NULL,
    reason                 VARCHAR,
    note                   VARCHAR,
    change                 VARCHAR NOT NULL,
    changed_by             VARCHAR NOT NULL,
    changed_at             TIMESTAMP NOT NULL DEFAULT current_timestamp,
    import_id              INTEGER,
    PRIMARY KEY (pairing_id, version)
);

-- side: 'donor' (shares the practice) or 'recipient' (is developing it).
CREATE TABLE pairing_participants (
    pairing_id VARCHAR NOT NULL,
    version    INTEGER NOT NULL,
    staff_ref  VARCHAR NOT NULL,
    side       VARCHAR NOT NULL,
    PRIMARY KEY (pairing_id, version, staff_ref)
);

CREATE SEQUENCE pairing_entry_seq START 1;
CREATE TABLE pairing_entries (
    entry_id      BIGINT NOT NULL,
    version       INTEGER NOT NULL,
    pairing_id    VARCHAR NOT NULL,
    entry_type    VARCHAR NOT NULL,
    date          DATE NOT NULL,
    hours         DOUBLE,
    who           VARCHAR[] NOT NULL,
    flow          VARCHAR NOT NULL,
    observed_ref  VARCHAR,
    recorded_by   VARCHAR,
    rating_before TINYINT,
    rating_after  TINYINT,
    measure       VARCHAR,
    value_before  DOUBLE,
    value_after   DOUBLE,
    note          VARCHAR,
    link          VARCHAR,
    withdrawn     BOOLEAN NOT NULL DEFAULT FALSE,
    change        VARCHAR NOT NULL,
    changed_by    VARCHAR NOT NULL,
    changed_at    TIMESTAMP NOT NULL DEFAULT current_timestamp,
    import_id     INTEGER,
    PRIMARY KEY (entry_id, version)
);

-- The current version of each pairing.
CREATE VIEW pairings AS
SELECT * FROM pairing_versions
QUALIFY version = max(version) OVER (PARTITION BY pairing_id);

-- The participants of each pairing's current version.
CREATE VIEW pairing_members AS
SELECT pp.pairing_id, pp.staff_ref, pp.side
FROM pairing_participants pp
JOIN pairings p ON p.pairing_id = pp.pairing_id AND p.version = pp.version;

-- The current version of each log entry that has not been withdrawn.
CREATE VIEW pairing_log AS
SELECT * EXCLUDE (withdrawn) FROM (
    SELECT * FROM pairing_entries
    QUALIFY version = max(version) OVER (PARTITION BY entry_id)
) WHERE NOT withdrawn;
