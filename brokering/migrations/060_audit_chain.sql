-- Tamper-evident audit: each entry carries the hash of the one before it and its own
-- (brokering/audit.py), and who operated the command line when it acted for someone else.
-- Entries written before this migration stay unchained; `audit verify` counts them.
ALTER TABLE audit_log ADD COLUMN operator VARCHAR;
ALTER TABLE audit_log ADD COLUMN prev_hash VARCHAR;
ALTER TABLE audit_log ADD COLUMN entry_hash VARCHAR;
