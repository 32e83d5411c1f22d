-- Capacity may be stated in release days as well as hours (SLE deployment is counted in
-- days): the days as given, beside the hours every calculation reads (brokering.importing
-- .capacity). NULL: stated in hours.
ALTER TABLE staff ADD COLUMN IF NOT EXISTS capacity_days DOUBLE;
