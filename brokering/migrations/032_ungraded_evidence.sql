-- Evidence without a grade (course attendance, an ungraded observation) is evidence too:
-- stored with no strength, never an invented one, and weighted low in scoring (SCORING.md).
ALTER TABLE evidence ALTER COLUMN strength DROP NOT NULL;
