-- The backlog counts of 0033 and 0034 were queued by a per-row trigger on every inserted row,
-- whose test (is this the transaction's first change to the row's product?) looks the product
-- up for each row: about 4 µs a row, 1.5 s of a 100,000-item import's 392,000 label rows. The
-- tables written in bulk (items, their labels and status events, sprint scope rows) now test
-- once per statement, over the statement's new rows.
--
-- A statement-level trigger cannot be deferred, and the bump must stay deferred to commit (a
-- count's row lock is the last a transaction takes). So the statement's trigger queues a row
-- in backlog_bumps for each product it changes first, and a deferred per-row trigger on that
-- queue bumps the count at commit and takes the row away. As before, a rolled-back savepoint
-- takes its marks and its queued rows with it. Updates and deletes keep their per-row
-- triggers: the application changes those rows one at a time.
CREATE TABLE backlog_bumps (
    product_id BIGINT NOT NULL
);

CREATE FUNCTION backlog_bump_queued() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE backlog_versions SET version = version + 1 WHERE product_id = NEW.product_id;
    -- Only this transaction's rows are visible to it and not yet taken away.
    DELETE FROM backlog_bumps WHERE product_id = NEW.product_id;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER backlog_bumps_queued AFTER INSERT ON backlog_bumps
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION backlog_bump_queued();

-- For the tables that name their product (items).
CREATE FUNCTION backlog_products_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO backlog_bumps (product_id)
    SELECT p FROM (SELECT DISTINCT product_id AS p FROM inserted) d WHERE backlog_first_change(p);
    RETURN NULL;
END
$$;

-- For the tables that name an item (item_labels, item_status_events).
CREATE FUNCTION backlog_items_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO backlog_bumps (product_id)
    SELECT p FROM (SELECT DISTINCT i.product_id AS p FROM items i
                    WHERE i.id IN (SELECT item_id FROM inserted)) d
     WHERE backlog_first_change(p);
    RETURN NULL;
END
$$;

-- For sprint_items: the products of the sprints named.
CREATE FUNCTION backlog_sprints_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO backlog_bumps (product_id)
    SELECT p FROM (SELECT DISTINCT s.product_id AS p FROM sprints s
                    WHERE s.id IN (SELECT sprint_id FROM inserted)) d
     WHERE backlog_first_change(p);
    RETURN NULL;
END
$$;

DROP TRIGGER items_backlog_insert ON items;
CREATE TRIGGER items_backlog_insert AFTER INSERT ON items
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION backlog_products_inserted();

DROP TRIGGER item_labels_backlog_insert ON item_labels;
CREATE TRIGGER item_labels_backlog_insert AFTER INSERT ON item_labels
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION backlog_items_inserted();

DROP TRIGGER item_status_events_backlog_insert ON item_status_events;
CREATE TRIGGER item_status_events_backlog_insert AFTER INSERT ON item_status_events
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION backlog_items_inserted();

DROP TRIGGER sprint_items_backlog_insert ON sprint_items;
CREATE TRIGGER sprint_items_backlog_insert AFTER INSERT ON sprint_items
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION backlog_sprints_inserted();
