-- Each product counts the changes to what its roadmap shows (its initiatives' title, status,
-- product and roll-up; its priorities; which initiatives serve them; which teams work on it).
-- A server keeps the rendered roadmap of a workspace and serves it again while these counters,
-- read in the same request, are unchanged: triggers bump them whichever code path (or server
-- process) writes, so a kept roadmap is never served after a change.
ALTER TABLE products ADD COLUMN roadmap_version BIGINT NOT NULL DEFAULT 0;

CREATE TRIGGER initiatives_roadmap_insert AFTER INSERT ON initiatives BEGIN
    UPDATE products SET roadmap_version = roadmap_version + 1 WHERE id = NEW.product_id;
END;
CREATE TRIGGER initiatives_roadmap_delete AFTER DELETE ON initiatives BEGIN
    UPDATE products SET roadmap_version = roadmap_version + 1 WHERE id = OLD.product_id;
END;
CREATE TRIGGER initiatives_roadmap_update AFTER UPDATE ON initiatives
    WHEN OLD.title IS NOT NEW.title OR OLD.status IS NOT NEW.status
      OR OLD.points_total IS NOT NEW.points_total OR OLD.points_done IS NOT NEW.points_done
      OR OLD.product_id IS NOT NEW.product_id
BEGIN
    UPDATE products SET roadmap_version = roadmap_version + 1 WHERE id IN (OLD.product_id, NEW.product_id);
END;

CREATE TRIGGER priorities_roadmap_insert AFTER INSERT ON priorities BEGIN
    UPDATE products SET roadmap_version = roadmap_version + 1 WHERE id = NEW.product_id;
END;
CREATE TRIGGER priorities_roadmap_delete AFTER DELETE ON priorities BEGIN
    UPDATE products SET roadmap_version = roadmap_version + 1 WHERE id = OLD.product_id;
END;
CREATE TRIGGER priorities_roadmap_update AFTER UPDATE ON priorities
    WHEN OLD.title IS NOT NEW.title OR OLD.quarter IS NOT NEW.quarter OR OLD.rank IS NOT NEW.rank
      OR OLD.product_id IS NOT NEW.product_id
BEGIN
    UPDATE products SET roadmap_version = roadmap_version + 1 WHERE id IN (OLD.product_id, NEW.product_id);
END;

CREATE TRIGGER priority_initiatives_roadmap_insert AFTER INSERT ON priority_initiatives BEGIN
    UPDATE products SET roadmap_version = roadmap_version + 1
     WHERE id IN (SELECT product_id FROM priorities WHERE id = NEW.priority_id
                  UNION SELECT product_id FROM initiatives WHERE id = NEW.initiative_id);
END;
CREATE TRIGGER priority_initiatives_roadmap_delete AFTER DELETE ON priority_initiatives BEGIN
    UPDATE products SET roadmap_version = roadmap_version + 1
     WHERE id IN (SELECT product_id FROM priorities WHERE id = OLD.priority_id
                  UNION SELECT product_id FROM initiatives WHERE id = OLD.initiative_id);
END;
CREATE TRIGGER priority_initiatives_roadmap_update AFTER UPDATE ON priority_initiatives BEGIN
    UPDATE products SET roadmap_version = roadmap_version + 1
     WHERE id IN (SELECT product_id FROM priorities WHERE id IN (OLD.priority_id, NEW.priority_id)
                  UNION SELECT product_id FROM initiatives WHERE id IN (OLD.initiative_id, NEW.initiative_id));
END;

CREATE TRIGGER team_products_roadmap_insert AFTER INSERT ON team_products BEGIN
    UPDATE products SET roadmap_version = roadmap_version + 1 WHERE id = NEW.product_id;
END;
CREATE TRIGGER team_products_roadmap_delete AFTER DELETE ON team_products BEGIN
    UPDATE products SET roadmap_version = roadmap_version + 1 WHERE id = OLD.product_id;
END;
CREATE TRIGGER team_products_roadmap_update AFTER UPDATE ON team_products BEGIN
    UPDATE products SET roadmap_version = roadmap_version + 1 WHERE id IN (OLD.product_id, NEW.product_id);
END;
