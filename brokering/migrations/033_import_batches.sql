-- Every applied import is a batch that can be undone: the keys of the rows it added (evidence
-- and coaching rows carry the batch's import_id instead) and each row it updated, as it was.
CREATE TABLE batch_rows (
    import_id  INTEGER NOT NULL,
    tbl        VARCHAR NOT NULL,
    action     VARCHAR NOT NULL,   -- added | updated
    row_key    VARCHAR NOT NULL,   -- the natural key as JSON text
    before     VARCHAR             -- the whole row before the batch (updated rows)
);
ALTER TABLE consent_events ADD COLUMN import_id INTEGER;
