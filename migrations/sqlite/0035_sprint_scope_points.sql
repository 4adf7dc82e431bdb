-- A sprint's scope summed (its committed points, its alignment at commit, the board's and the
-- planning page's totals) without reading each scope row from the table: the points ride in
-- the index of the current scope. At a few hundred items a sprint, the sum read one table row
-- per item, the larger part of a commit's time on SQLite's one writer.
CREATE INDEX sprint_items_scope ON sprint_items(sprint_id, item_id, points) WHERE removed_at IS NULL;
