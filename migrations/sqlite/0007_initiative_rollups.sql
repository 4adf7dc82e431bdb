-- Each initiative keeps the points of its backlog items, in total and done, so that the roadmap
-- and the prioritization view read one row per initiative instead of adding up every item on
-- each request. Triggers keep the sums, whichever code path changes an item.
ALTER TABLE initiatives ADD COLUMN points_total INTEGER NOT NULL DEFAULT 0;
ALTER TABLE initiatives ADD COLUMN points_done INTEGER NOT NULL DEFAULT 0;

UPDATE initiatives SET
    points_total = COALESCE((SELECT SUM(i.points) FROM items i WHERE i.initiative_id = initiatives.id), 0),
    points_done = COALESCE((SELECT SUM(i.points) FROM items i WHERE i.initiative_id = initiatives.id AND i.status = 'done'), 0);

CREATE TRIGGER items_rollup_insert AFTER INSERT ON items
WHEN NEW.initiative_id IS NOT NULL AND NEW.points IS NOT NULL
BEGIN
    UPDATE initiatives SET points_total = points_total + NEW.points,
        points_done = points_done + CASE WHEN NEW.status = 'done' THEN NEW.points ELSE 0 END
    WHERE id = NEW.initiative_id;
END;

CREATE TRIGGER items_rollup_delete AFTER DELETE ON items
WHEN OLD.initiative_id IS NOT NULL AND OLD.points IS NOT NULL
BEGIN
    UPDATE initiatives SET points_total = points_total - OLD.points,
        points_done = points_done - CASE WHEN OLD.status = 'done' THEN OLD.points ELSE 0 END
    WHERE id = OLD.initiative_id;
END;

CREATE TRIGGER items_rollup_update AFTER UPDATE OF points, status, initiative_id ON items
WHEN OLD.points IS NOT NEW.points OR OLD.status IS NOT NEW.status OR OLD.initiative_id IS NOT NEW.initiative_id
BEGIN
    UPDATE initiatives SET points_total = points_total - COALESCE(OLD.points, 0),
        points_done = points_done - CASE WHEN OLD.status = 'done' THEN COALESCE(OLD.points, 0) ELSE 0 END
    WHERE id = OLD.initiative_id;
    UPDATE initiatives SET points_total = points_total + COALESCE(NEW.points, 0),
        points_done = points_done + CASE WHEN NEW.status = 'done' THEN COALESCE(NEW.points, 0) ELSE 0 END
    WHERE id = NEW.initiative_id;
END;
