-- The roadmap's change counts move from a column of products (0031) to a table of their own.
-- On PostgreSQL a bump on the products row took that row's lock late in a transaction, after
-- the initiative's roll-up, while creating an item takes it first (for the next number) and the
-- roll-up after: two such transactions could wait on each other. The counts now live in
-- roadmap_versions, a row per product that nothing else locks; on SQLite (one writer) only the
-- place changes, so both databases keep the same schema.
DROP TRIGGER initiatives_roadmap_insert;
DROP TRIGGER initiatives_roadmap_delete;
DROP TRIGGER initiatives_roadmap_update;
DROP TRIGGER priorities_roadmap_insert;
DROP TRIGGER priorities_roadmap_delete;
DROP TRIGGER priorities_roadmap_update;
DROP TRIGGER priority_initiatives_roadmap_insert;
DROP TRIGGER priority_initiatives_roadmap_delete;
DROP TRIGGER priority_initiatives_roadmap_update;
DROP TRIGGER team_products_roadmap_insert;
DROP TRIGGER team_products_roadmap_delete;
DROP TRIGGER team_products_roadmap_update;
ALTER TABLE products DROP COLUMN roadmap_version;

CREATE TABLE roadmap_versions (
    product_id INTEGER PRIMARY KEY REFERENCES products(id) ON DELETE CASCADE,
    version    BIGINT NOT NULL DEFAULT 0
);
INSERT INTO roadmap_versions (product_id, version) SELECT id, 0 FROM products;

CREATE TRIGGER products_roadmap_versions AFTER INSERT ON products BEGIN
    INSERT INTO roadmap_versions (product_id, version) VALUES (NEW.id, 0);
END;

CREATE TRIGGER initiatives_roadmap_insert AFTER INSERT ON initiatives BEGIN
    UPDATE roadmap_versions SET version = version + 1 WHERE product_id = NEW.product_id;
END;
CREATE TRIGGER initiatives_roadmap_delete AFTER DELETE ON initiatives BEGIN
    UPDATE roadmap_versions SET version = version + 1 WHERE product_id = OLD.product_id;
END;
CREATE TRIGGER initiatives_roadmap_update AFTER UPDATE ON initiatives
    WHEN OLD.title IS NOT NEW.title OR OLD.status IS NOT NEW.status
      OR OLD.points_total IS NOT NEW.points_total OR OLD.points_done IS NOT NEW.points_done
      OR OLD.product_id IS NOT NEW.product_id
BEGIN
    UPDATE roadmap_versions SET version = version + 1 WHERE product_id IN (OLD.product_id, NEW.product_id);
END;

CREATE TRIGGER priorities_roadmap_insert AFTER INSERT ON priorities BEGIN
    UPDATE roadmap_versions SET version = version + 1 WHERE product_id = NEW.product_id;
END;
CREATE TRIGGER priorities_roadmap_delete AFTER DELETE ON priorities BEGIN
    UPDATE roadmap_versions SET version = version + 1 WHERE product_id = OLD.product_id;
END;
CREATE TRIGGER priorities_roadmap_update AFTER UPDATE ON priorities
    WHEN OLD.title IS NOT NEW.title OR OLD.quarter IS NOT NEW.quarter OR OLD.rank IS NOT NEW.rank
      OR OLD.product_id IS NOT NEW.product_id
BEGIN
    UPDATE roadmap_versions SET version = version + 1 WHERE product_id IN (OLD.product_id, NEW.product_id);
END;

CREATE TRIGGER priority_initiatives_roadmap_insert AFTER INSERT ON priority_initiatives BEGIN
    UPDATE roadmap_versions SET version = version + 1
     WHERE product_id IN (SELECT product_id FROM priorities WHERE id = NEW.priority_id
                          UNION SELECT product_id FROM initiatives WHERE id = NEW.initiative_id);
END;
CREATE TRIGGER priority_initiatives_roadmap_delete AFTER DELETE ON priority_initiatives BEGIN
    UPDATE roadmap_versions SET version = version + 1
     WHERE product_id IN (SELECT product_id FROM priorities WHERE id = OLD.priority_id
                          UNION SELECT product_id FROM initiatives WHERE id = OLD.initiative_id);
END;
CREATE TRIGGER priority_initiatives_roadmap_update AFTER UPDATE ON priority_initiatives BEGIN
    UPDATE roadmap_versions SET version = version + 1
     WHERE product_id IN (SELECT product_id FROM priorities WHERE id IN (OLD.priority_id, NEW.priority_id)
                          UNION SELECT product_id FROM initiatives WHERE id IN (OLD.initiative_id, NEW.initiative_id));
END;

CREATE TRIGGER team_products_roadmap_insert AFTER INSERT ON team_products BEGIN
    UPDATE roadmap_versions SET version = version + 1 WHERE product_id = NEW.product_id;
END;
CREATE TRIGGER team_products_roadmap_delete AFTER DELETE ON team_products BEGIN
    UPDATE roadmap_versions SET version = version + 1 WHERE product_id = OLD.product_id;
END;
CREATE TRIGGER team_products_roadmap_update AFTER UPDATE ON team_products BEGIN
    UPDATE roadmap_versions SET version = version + 1 WHERE product_id IN (OLD.product_id, NEW.product_id);
END;
