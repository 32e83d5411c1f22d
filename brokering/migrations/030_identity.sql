-- Identity index: every e-mail address, payroll number and (school, staff code) seen in an
-- import, kept only as a keyed hash (HMAC with the alliance secret, which never enters the
-- database), pointing at the pseudonymous staff_ref it identifies. A later file that names
-- people by e-mail resolves to the same ref; a person who moves school keeps theirs.
-- kind: 'code' (key = HMAC of school + local code), 'email', 'payroll'.
CREATE TABLE identity_index (
    kind       VARCHAR NOT NULL,
    key_hash   VARCHAR NOT NULL,
    staff_ref  VARCHAR NOT NULL,
    school_id  VARCHAR NOT NULL,
    import_id  INTEGER,
    PRIMARY KEY (kind, key_hash)
);
