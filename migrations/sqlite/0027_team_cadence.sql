-- A team chooses its cadence (issue 14: "a product (or a team) chooses its cadence"): sprints
-- or flow, or NULL to follow its product's. Its reports, board and forecasts then read the
-- team's own history by that cadence. The team's cadence has its own version, like the
-- product's flow settings, so setting it never makes the team's other settings stale.
ALTER TABLE teams ADD COLUMN cadence TEXT CHECK (cadence IN ('sprints', 'flow'));
ALTER TABLE teams ADD COLUMN cadence_version BIGINT NOT NULL DEFAULT 1;
