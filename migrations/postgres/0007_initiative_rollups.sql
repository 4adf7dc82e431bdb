-- Each initiative keeps the points of its backlog items, in total and done, so that the roadmap
-- and the prioritization view read one row per initiative instead of adding up every item on
-- each request. Triggers keep the sums, whichever code path changes an item.
ALTER TABLE initiatives ADD COLUMN points_total BIGINT NOT NULL DEFAULT 0;
ALTER TABLE initiatives ADD COLUMN points_done BIGINT NOT NULL DEFAULT 0;

UPDATE initiatives SET
    points_total = COALESCE((SELECT SUM(i.points) FROM items i WHERE i.initiative_id = initiatives.id), 0),
    points_done = COALESCE((SELECT SUM(i.points) FROM items i WHERE i.initiative_id = initiatives.id AND i.status = 'done'), 0);

CREATE FUNCTION items_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.initiative_id IS NOT NULL AND OLD.points IS NOT NULL THEN
        UPDATE initiatives SET points_total = points_total - OLD.points,
            points_done = points_done - CASE WHEN OLD.status = 'done' THEN OLD.points ELSE 0 END
        WHERE id = OLD.initiative_id;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.initiative_id IS NOT NULL AND NEW.points IS NOT NULL THEN
        UPDATE initiatives SET points_total = points_total + NEW.points,
            points_done = points_done + CASE WHEN NEW.status = 'done' THEN NEW.points ELSE 0 END
        WHERE id = NEW.initiative_id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER items_rollup_insert AFTER INSERT ON items FOR EACH ROW
    WHEN (NEW.initiative_id IS NOT NULL AND NEW.points IS NOT NULL)
    EXECUTE FUNCTION items_rollup();
CREATE TRIGGER items_rollup_delete AFTER DELETE ON items FOR EACH ROW
    WHEN (OLD.initiative_id IS NOT NULL AND OLD.points IS NOT NULL)
    EXECUTE FUNCTION items_rollup();
CREATE TRIGGER items_rollup_update AFTER UPDATE OF points, status, initiative_id ON items FOR EACH ROW
    WHEN (OLD.points IS DISTINCT FROM NEW.points OR OLD.status IS DISTINCT FROM NEW.status
          OR OLD.initiative_id IS DISTINCT FROM NEW.initiative_id)
    EXECUTE FUNCTION items_rollup();
