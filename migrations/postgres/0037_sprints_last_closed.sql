-- A product's last closed sprint (the Overview's retrospective reminder, on every product of
-- the workspace home) was found by reading each of the product's sprints and sorting them.
-- The index's order is the query's (`end_date DESC NULLS LAST, id DESC`), so the newest
-- closed sprint is its range's first entry. See the SQLite migration of the same name.
CREATE INDEX sprints_by_state_end ON sprints(product_id, state, end_date DESC NULLS LAST, id DESC);
