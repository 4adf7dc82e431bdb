-- Each product counts the changes to what its roadmap shows (its initiatives' title, status,
-- product and roll-up; its priorities; which initiatives serve them; which teams work on it).
-- A server keeps the rendered roadmap of a workspace and serves it again while these counters,
-- read in the same request, are unchanged: triggers bump them whichever code path (or server
-- process) writes, so a kept roadmap is never served after a change. The bump takes the
-- product row's lock until commit, as an item's creation (next_number) already does.
ALTER TABLE products ADD COLUMN roadmap_version BIGINT NOT NULL DEFAULT 0;

-- For the tables that name their product (initiatives, priorities, team_products).
CREATE FUNCTION roadmap_touched() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE products SET roadmap_version = roadmap_version + 1 WHERE id = OLD.product_id;
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.product_id IS DISTINCT FROM OLD.product_id) THEN
        UPDATE products SET roadmap_version = roadmap_version + 1 WHERE id = NEW.product_id;
    END IF;
    RETURN NULL;
END
$$;

-- For an initiative's link to a priority: the products of both ends.
CREATE FUNCTION roadmap_link_touched() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE products SET roadmap_version = roadmap_version + 1
         WHERE id IN (SELECT product_id FROM priorities WHERE id = OLD.priority_id
                      UNION SELECT product_id FROM initiatives WHERE id = OLD.initiative_id);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        UPDATE products SET roadmap_version = roadmap_version + 1
         WHERE id IN (SELECT product_id FROM priorities WHERE id = NEW.priority_id
                      UNION SELECT product_id FROM initiatives WHERE id = NEW.initiative_id);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER initiatives_roadmap AFTER INSERT OR DELETE ON initiatives
    FOR EACH ROW EXECUTE FUNCTION roadmap_touched();
CREATE TRIGGER initiatives_roadmap_update AFTER UPDATE ON initiatives FOR EACH ROW
    WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.status IS DISTINCT FROM NEW.status
          OR OLD.points_total IS DISTINCT FROM NEW.points_total
          OR OLD.points_done IS DISTINCT FROM NEW.points_done
          OR OLD.product_id IS DISTINCT FROM NEW.product_id)
    EXECUTE FUNCTION roadmap_touched();

CREATE TRIGGER priorities_roadmap AFTER INSERT OR DELETE ON priorities
    FOR EACH ROW EXECUTE FUNCTION roadmap_touched();
CREATE TRIGGER priorities_roadmap_update AFTER UPDATE ON priorities FOR EACH ROW
    WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.quarter IS DISTINCT FROM NEW.quarter
          OR OLD.rank IS DISTINCT FROM NEW.rank OR OLD.product_id IS DISTINCT FROM NEW.product_id)
    EXECUTE FUNCTION roadmap_touched();

CREATE TRIGGER priority_initiatives_roadmap AFTER INSERT OR UPDATE OR DELETE ON priority_initiatives
    FOR EACH ROW EXECUTE FUNCTION roadmap_link_touched();

CREATE TRIGGER team_products_roadmap AFTER INSERT OR UPDATE OR DELETE ON team_products
    FOR EACH ROW EXECUTE FUNCTION roadmap_touched();
