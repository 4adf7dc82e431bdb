-- The roadmap's change counts move from a column of products (0031) to a table of their own.
-- A bump on the products row took that row's lock late in a transaction, after the
-- initiative's roll-up, while creating an item takes it first (for the next number) and the
-- roll-up after: two such transactions could wait on each other until PostgreSQL broke the
-- deadlock. The counts now live in roadmap_versions, a row per product that nothing else
-- locks, and are bumped by constraint triggers deferred to commit, so that row's lock is the
-- last a transaction takes.
DROP TRIGGER initiatives_roadmap ON initiatives;
DROP TRIGGER initiatives_roadmap_update ON initiatives;
DROP TRIGGER priorities_roadmap ON priorities;
DROP TRIGGER priorities_roadmap_update ON priorities;
DROP TRIGGER priority_initiatives_roadmap ON priority_initiatives;
DROP TRIGGER team_products_roadmap ON team_products;
DROP FUNCTION roadmap_touched();
DROP FUNCTION roadmap_link_touched();
ALTER TABLE products DROP COLUMN roadmap_version;

CREATE TABLE roadmap_versions (
    product_id BIGINT PRIMARY KEY REFERENCES products(id) ON DELETE CASCADE,
    version    BIGINT NOT NULL DEFAULT 0
);
INSERT INTO roadmap_versions (product_id, version) SELECT id, 0 FROM products;

CREATE FUNCTION roadmap_product_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO roadmap_versions (product_id, version) VALUES (NEW.id, 0);
    RETURN NULL;
END
$$;
CREATE TRIGGER products_roadmap_versions AFTER INSERT ON products
    FOR EACH ROW EXECUTE FUNCTION roadmap_product_added();

-- For the tables that name their product (initiatives, priorities, team_products).
CREATE FUNCTION roadmap_touched() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE roadmap_versions SET version = version + 1 WHERE product_id = OLD.product_id;
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.product_id IS DISTINCT FROM OLD.product_id) THEN
        UPDATE roadmap_versions SET version = version + 1 WHERE product_id = NEW.product_id;
    END IF;
    RETURN NULL;
END
$$;

-- For an initiative's link to a priority: the products of both ends.
CREATE FUNCTION roadmap_link_touched() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE roadmap_versions SET version = version + 1
         WHERE product_id IN (SELECT product_id FROM priorities WHERE id = OLD.priority_id
                              UNION SELECT product_id FROM initiatives WHERE id = OLD.initiative_id);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        UPDATE roadmap_versions SET version = version + 1
         WHERE product_id IN (SELECT product_id FROM priorities WHERE id = NEW.priority_id
                              UNION SELECT product_id FROM initiatives WHERE id = NEW.initiative_id);
    END IF;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER initiatives_roadmap AFTER INSERT OR DELETE ON initiatives
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION roadmap_touched();
CREATE CONSTRAINT TRIGGER initiatives_roadmap_update AFTER UPDATE ON initiatives
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.status IS DISTINCT FROM NEW.status
          OR OLD.points_total IS DISTINCT FROM NEW.points_total
          OR OLD.points_done IS DISTINCT FROM NEW.points_done
          OR OLD.product_id IS DISTINCT FROM NEW.product_id)
    EXECUTE FUNCTION roadmap_touched();

CREATE CONSTRAINT TRIGGER priorities_roadmap AFTER INSERT OR DELETE ON priorities
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION roadmap_touched();
CREATE CONSTRAINT TRIGGER priorities_roadmap_update AFTER UPDATE ON priorities
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.quarter IS DISTINCT FROM NEW.quarter
          OR OLD.rank IS DISTINCT FROM NEW.rank OR OLD.product_id IS DISTINCT FROM NEW.product_id)
    EXECUTE FUNCTION roadmap_touched();

CREATE CONSTRAINT TRIGGER priority_initiatives_roadmap AFTER INSERT OR UPDATE OR DELETE ON priority_initiatives
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION roadmap_link_touched();

CREATE CONSTRAINT TRIGGER team_products_roadmap AFTER INSERT OR UPDATE OR DELETE ON team_products
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION roadmap_touched();
