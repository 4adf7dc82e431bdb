-- Whether an item is in an open sprint was read through every row the item ever had in any
-- sprint, each fetched from the table to see whether it was still in. With removed_at in the
-- index the rows still in are one range of it. See the SQLite migration of the same name.
DROP INDEX sprint_items_item;
CREATE INDEX sprint_items_item ON sprint_items(item_id, removed_at, sprint_id);
