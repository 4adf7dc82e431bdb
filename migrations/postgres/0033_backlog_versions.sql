-- Each product counts the changes to what its backlog listing shows (the items, their labels
-- and evidence, tier exemptions), so that a server may keep a listing while the count stays
-- the same (src/db/kept.rs). Initiatives' titles and the quarter's priorities, which the
-- listing also shows, are counted by roadmap_versions (0032). Triggers count every writer: the
-- API, the CLI, an import, another server process.
--
-- As with roadmap_versions, the counts are bumped by constraint triggers deferred to commit,
-- so a count's row lock is the last a transaction takes. A transaction bumps each product's
-- count once (its changes become visible at once, at commit): the products it has changed
-- are marked in a setting local to the transaction, so an import or a seed of thousands of
-- items queues one bump per product, not thousands.
CREATE TABLE backlog_versions (
    product_id BIGINT PRIMARY KEY REFERENCES products(id) ON DELETE CASCADE,
    version    BIGINT NOT NULL DEFAULT 0
);
INSERT INTO backlog_versions (product_id, version) SELECT id, 0 FROM products;

CREATE FUNCTION backlog_product_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO backlog_versions (product_id, version) VALUES (NEW.id, 0);
    RETURN NULL;
END
$$;
CREATE TRIGGER products_backlog_versions AFTER INSERT ON products
    FOR EACH ROW EXECUTE FUNCTION backlog_product_added();

-- Whether this is the transaction's first change to product `pid`'s backlog; marks it. A
-- constraint trigger's WHEN is evaluated at once, not at commit, so only a product's first
-- change in a transaction is queued for the bump (a rolled-back savepoint takes its marks and
-- its queued bumps with it).
CREATE FUNCTION backlog_first_change(pid BIGINT) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    marked TEXT := COALESCE(NULLIF(current_setting('throughline.backlog_changed', true), ''), ',');
BEGIN
    IF pid IS NULL OR position(',' || pid || ',' IN marked) > 0 THEN
        RETURN false;
    END IF;
    PERFORM set_config('throughline.backlog_changed', marked || pid || ',', true);
    RETURN true;
END
$$;

CREATE FUNCTION backlog_item_first_change(item BIGINT) RETURNS boolean LANGUAGE sql AS $$
    SELECT backlog_first_change((SELECT product_id FROM items WHERE id = item))
$$;

-- For the tables that name their product (items, tier_exemptions).
CREATE FUNCTION backlog_touched() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE backlog_versions SET version = version + 1
     WHERE product_id IN (OLD.product_id, NEW.product_id);
    RETURN NULL;
END
$$;

-- For the tables that name an item (item_labels, item_evidence).
CREATE FUNCTION backlog_item_touched() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE backlog_versions SET version = version + 1
     WHERE product_id IN (SELECT product_id FROM items WHERE id IN (OLD.item_id, NEW.item_id));
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER items_backlog_insert AFTER INSERT ON items
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (backlog_first_change(NEW.product_id)) EXECUTE FUNCTION backlog_touched();
CREATE CONSTRAINT TRIGGER items_backlog_update AFTER UPDATE ON items
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (backlog_first_change(OLD.product_id) OR backlog_first_change(NEW.product_id))
    EXECUTE FUNCTION backlog_touched();
CREATE CONSTRAINT TRIGGER items_backlog_delete AFTER DELETE ON items
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (backlog_first_change(OLD.product_id)) EXECUTE FUNCTION backlog_touched();

CREATE CONSTRAINT TRIGGER tier_exemptions_backlog_insert AFTER INSERT ON tier_exemptions
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (backlog_first_change(NEW.product_id)) EXECUTE FUNCTION backlog_touched();
CREATE CONSTRAINT TRIGGER tier_exemptions_backlog_update AFTER UPDATE ON tier_exemptions
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (backlog_first_change(OLD.product_id) OR backlog_first_change(NEW.product_id))
    EXECUTE FUNCTION backlog_touched();
CREATE CONSTRAINT TRIGGER tier_exemptions_backlog_delete AFTER DELETE ON tier_exemptions
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (backlog_first_change(OLD.product_id)) EXECUTE FUNCTION backlog_touched();

CREATE CONSTRAINT TRIGGER item_labels_backlog_insert AFTER INSERT ON item_labels
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (backlog_item_first_change(NEW.item_id)) EXECUTE FUNCTION backlog_item_touched();
CREATE CONSTRAINT TRIGGER item_labels_backlog_update AFTER UPDATE ON item_labels
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (backlog_item_first_change(OLD.item_id) OR backlog_item_first_change(NEW.item_id))
    EXECUTE FUNCTION backlog_item_touched();
CREATE CONSTRAINT TRIGGER item_labels_backlog_delete AFTER DELETE ON item_labels
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (backlog_item_first_change(OLD.item_id)) EXECUTE FUNCTION backlog_item_touched();

CREATE CONSTRAINT TRIGGER item_evidence_backlog_insert AFTER INSERT ON item_evidence
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (backlog_item_first_change(NEW.item_id)) EXECUTE FUNCTION backlog_item_touched();
CREATE CONSTRAINT TRIGGER item_evidence_backlog_update AFTER UPDATE ON item_evidence
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (backlog_item_first_change(OLD.item_id) OR backlog_item_first_change(NEW.item_id))
    EXECUTE FUNCTION backlog_item_touched();
CREATE CONSTRAINT TRIGGER item_evidence_backlog_delete AFTER DELETE ON item_evidence
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (backlog_item_first_change(OLD.item_id)) EXECUTE FUNCTION backlog_item_touched();
