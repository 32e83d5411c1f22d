-- Lookup indexes for the reads that concern a few people (a candidates list's ~200): the
-- pairings a person was a donor in, those pairings' versions, members and log, and a
-- person's coaching records. Without them each such read scans the whole table (210,000
-- members, 235,000 log rows, 200,000 coaching records at national scale) on the first list
-- after every write. DuckDB uses an index only for a scan whose sole filter is the indexed
-- column `IN (constants)`, so the readers bind the refs or pairing ids as values in a
-- materialised step of their own (brokering/coaching_records.py `donor_pairings`).
-- A table with an index cannot be altered (ALTER TABLE): a later migration that must alter
-- one drops its index first and creates it again after.
CREATE INDEX IF NOT EXISTS pairing_participants_staff ON pairing_participants (staff_ref);
CREATE INDEX IF NOT EXISTS pairing_participants_pairing ON pairing_participants (pairing_id);
CREATE INDEX IF NOT EXISTS pairing_versions_pairing ON pairing_versions (pairing_id);
CREATE INDEX IF NOT EXISTS pairing_entries_pairing ON pairing_entries (pairing_id);
CREATE INDEX IF NOT EXISTS coaching_coach ON coaching (coach_ref);
