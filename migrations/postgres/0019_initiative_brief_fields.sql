-- The Solution Blueprint (D1) opens with the PM's own words on an initiative: the problem it
-- solves, the assumptions it rests on and what it leaves out. Short texts, empty until written.
ALTER TABLE initiatives ADD COLUMN problem TEXT NOT NULL DEFAULT '';
ALTER TABLE initiatives ADD COLUMN assumptions TEXT NOT NULL DEFAULT '';
ALTER TABLE initiatives ADD COLUMN out_of_scope TEXT NOT NULL DEFAULT '';
