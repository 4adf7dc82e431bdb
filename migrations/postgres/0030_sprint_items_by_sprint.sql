-- A sprint's whole history of scope (removed items included), read by its burndown, review and
-- reports, was a scan of every sprint's items: the only index on sprint_id covered current
-- scope alone (removed_at IS NULL).
CREATE INDEX sprint_items_sprint ON sprint_items(sprint_id);
