-- The store's change mark (brokering.changes): one row, moved by every write transaction
-- (db.transaction and the importer's, undo's and clear's own) and by the few writes made
-- outside one. `n` counts the changes; `token` is drawn afresh each time, so two copies of a
-- store that were written apart never share a mark. In-process memos of reads
-- (changes.remembered) are keyed on it.
CREATE TABLE IF NOT EXISTS store_changes (n BIGINT NOT NULL, token VARCHAR NOT NULL);
INSERT INTO store_changes SELECT 0, uuid()::VARCHAR WHERE NOT EXISTS (SELECT 1 FROM store_changes);
