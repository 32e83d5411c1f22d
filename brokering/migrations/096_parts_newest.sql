-- The stored find parts record the newest record they hold and the date their s1 is
-- measured to (brokering/find/maintenance.py). Parts built before this layout had their
-- epoch at the newest record and s1 measured to it, so for them both dates are the epoch:
-- the columns are added empty and every reader takes coalesce(column, epoch). Without this
-- a store upgraded in place read as "not built" and every find took the slow path until
-- the next import or `optimise`. No-op on a store whose parts were never built.
ALTER TABLE IF EXISTS derived.find_parts_meta ADD COLUMN IF NOT EXISTS newest DATE;
ALTER TABLE IF EXISTS derived.find_parts_meta ADD COLUMN IF NOT EXISTS ranked_at DATE;
