-- 0035's partial index was meant to answer a sprint's scope sums from the index alone, but
-- SQLite does not take a partial index as covering when the query names the column of its
-- WHERE (`removed_at IS NULL`): the planner read each scope row from the table through
-- sprint_items_sprint instead (EXPLAIN QUERY PLAN: "USING INDEX", not "USING COVERING INDEX").
-- With removed_at as the index's second column the current scope is one range of it, the
-- points ride in it, and a sprint's rows of any state still start with its id, so the
-- sprint-only index goes. On a copy of the benchmark's database, a sprint of 594 items: the
-- scope sum 172 -> 29 us, the alignment groups at commit 381 -> 158 us.
DROP INDEX sprint_items_scope;
DROP INDEX sprint_items_sprint;
CREATE INDEX sprint_items_scope ON sprint_items(sprint_id, removed_at, item_id, points);
