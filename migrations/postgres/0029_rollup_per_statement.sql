-- Inserting items with their initiative adds to the initiative's roll-up. The per-row trigger
-- of 0007 did that once per item, so a bulk insert (the benchmark seed) updated the same
-- initiative row once for each of its items: 50,000 updates of 500 rows in the large seed,
-- about 3 s of it, and a trail of dead row versions that slowed later reads of initiatives in
-- the same transaction. This statement-level trigger adds each statement's new items up per
-- initiative and updates each initiative once. Updates and deletes keep the per-row triggers
-- of 0007: the application links, edits and deletes items one at a time, and a statement-level
-- update trigger could not be limited to the columns that matter (PostgreSQL allows no column
-- list with transition tables), so every edit of an item would pay for it.
DROP TRIGGER items_rollup_insert ON items;

CREATE FUNCTION items_rollup_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE initiatives n SET points_total = n.points_total + d.total,
        points_done = n.points_done + d.done
    FROM (SELECT initiative_id, SUM(points) AS total,
                 SUM(CASE WHEN status = 'done' THEN points ELSE 0 END) AS done
            FROM inserted_items
           WHERE initiative_id IS NOT NULL AND points IS NOT NULL
           GROUP BY initiative_id) d
    WHERE n.id = d.initiative_id;
    RETURN NULL;
END
$$;

CREATE TRIGGER items_rollup_insert AFTER INSERT ON items
    REFERENCING NEW TABLE AS inserted_items
    FOR EACH STATEMENT EXECUTE FUNCTION items_rollup_inserted();
