-- Value maps confirmed by the data manager: how this alliance's files write a role, a
-- judgement, an observer, a status or a skill (raw = the comparison form of the file's
-- words). Built-in defaults live in brokering/school_words.py; a saved entry wins.
CREATE TABLE value_maps (
    kind          VARCHAR NOT NULL,
    raw           VARCHAR NOT NULL,
    value         VARCHAR NOT NULL,
    confirmed_by  VARCHAR NOT NULL,
    confirmed_at  TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (kind, raw)
);
