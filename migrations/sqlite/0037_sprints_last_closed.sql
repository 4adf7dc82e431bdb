-- A product's last closed sprint (the Overview's retrospective reminder, on every product of
-- the workspace home) was found by reading each of the product's sprints with its team and
-- sorting them: about 105 sprints per product on the benchmark's *large* set, 65 us a query.
-- With the state and end date in an index the newest closed sprint is the first entry of one
-- range read backwards (SQLite puts NULL first, so a descending read gives NULLS LAST): 7 us.
CREATE INDEX sprints_by_state_end ON sprints(product_id, state, end_date, id);
