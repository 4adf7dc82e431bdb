-- The sprint boards are kept like the backlog listing (0033), under the same count: what a
-- board shows beyond the items is counted here too. Sprints and their scope, the items'
-- status events and dependencies bump their product's count (deferred to commit, queued once
-- per product and transaction, as in 0033); an item's status the counts of the other
-- products whose items it blocks (a card says "Blocked by" while its blocker is not done, and
-- a blocker may be another product's); a team's name or WIP limits the counts of the
-- products it works on or runs sprints of; a person's name (a card shows the assignee's
-- initials) the counts of the products of their workspaces.
CREATE FUNCTION backlog_sprint_first_change(sprint BIGINT) RETURNS boolean LANGUAGE sql AS $$
    SELECT backlog_first_change((SELECT product_id FROM sprints WHERE id = sprint))
$$;

-- For sprint_items: the products of the sprints named.
CREATE FUNCTION backlog_sprint_touched() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE backlog_versions SET version = version + 1
     WHERE product_id IN (SELECT product_id FROM sprints WHERE id IN (OLD.sprint_id, NEW.sprint_id));
    RETURN NULL;
END
$$;

-- For item_dependencies: the products of both ends.
CREATE FUNCTION backlog_dependency_touched() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE backlog_versions SET version = version + 1
     WHERE product_id IN (SELECT product_id FROM items
                          WHERE id IN (OLD.blocker_id, OLD.blocked_id, NEW.blocker_id, NEW.blocked_id));
    RETURN NULL;
END
$$;

-- Whether item `item` of product `pid` blocks items of other products.
CREATE FUNCTION backlog_blocks_elsewhere(item BIGINT, pid BIGINT) RETURNS boolean LANGUAGE sql AS $$
    SELECT EXISTS (SELECT 1 FROM item_dependencies d JOIN items i ON i.id = d.blocked_id
                   WHERE d.blocker_id = item AND i.product_id <> pid)
$$;

-- For an item's status: the other products whose items it blocks.
CREATE FUNCTION backlog_dependents_touched() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE backlog_versions SET version = version + 1
     WHERE product_id IN (SELECT i.product_id FROM item_dependencies d JOIN items i ON i.id = d.blocked_id
                          WHERE d.blocker_id = NEW.id AND i.product_id <> NEW.product_id);
    RETURN NULL;
END
$$;

-- For teams: the products it works on or runs sprints of.
CREATE FUNCTION backlog_team_touched() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE backlog_versions SET version = version + 1
     WHERE product_id IN (SELECT product_id FROM team_products WHERE team_id = NEW.id
                          UNION SELECT product_id FROM sprints WHERE team_id = NEW.id);
    RETURN NULL;
END
$$;

-- For users: the products of their workspaces.
CREATE FUNCTION backlog_user_touched() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE backlog_versions SET version = version + 1
     WHERE product_id IN (SELECT p.id FROM products p
                          JOIN workspace_members m ON m.workspace_id = p.workspace_id
                          WHERE m.user_id = NEW.id);
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER sprints_backlog_insert AFTER INSERT ON sprints
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (backlog_first_change(NEW.product_id)) EXECUTE FUNCTION backlog_touched();
CREATE CONSTRAINT TRIGGER sprints_backlog_update AFTER UPDATE ON sprints
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (backlog_first_change(OLD.product_id) OR backlog_first_change(NEW.product_id))
    EXECUTE FUNCTION backlog_touched();
CREATE CONSTRAINT TRIGGER sprints_backlog_delete AFTER DELETE ON sprints
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (backlog_first_change(OLD.product_id)) EXECUTE FUNCTION backlog_touched();

CREATE CONSTRAINT TRIGGER sprint_items_backlog_insert AFTER INSERT ON sprint_items
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (backlog_sprint_first_change(NEW.sprint_id)) EXECUTE FUNCTION backlog_sprint_touched();
CREATE CONSTRAINT TRIGGER sprint_items_backlog_update AFTER UPDATE ON sprint_items
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (backlog_sprint_first_change(OLD.sprint_id) OR backlog_sprint_first_change(NEW.sprint_id))
    EXECUTE FUNCTION backlog_sprint_touched();
CREATE CONSTRAINT TRIGGER sprint_items_backlog_delete AFTER DELETE ON sprint_items
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (backlog_sprint_first_change(OLD.sprint_id)) EXECUTE FUNCTION backlog_sprint_touched();

CREATE CONSTRAINT TRIGGER item_status_events_backlog_insert AFTER INSERT ON item_status_events
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (backlog_item_first_change(NEW.item_id)) EXECUTE FUNCTION backlog_item_touched();
CREATE CONSTRAINT TRIGGER item_status_events_backlog_update AFTER UPDATE ON item_status_events
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (backlog_item_first_change(OLD.item_id) OR backlog_item_first_change(NEW.item_id))
    EXECUTE FUNCTION backlog_item_touched();
CREATE CONSTRAINT TRIGGER item_status_events_backlog_delete AFTER DELETE ON item_status_events
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (backlog_item_first_change(OLD.item_id)) EXECUTE FUNCTION backlog_item_touched();

CREATE CONSTRAINT TRIGGER item_dependencies_backlog_insert AFTER INSERT ON item_dependencies
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (backlog_item_first_change(NEW.blocker_id) OR backlog_item_first_change(NEW.blocked_id))
    EXECUTE FUNCTION backlog_dependency_touched();
CREATE CONSTRAINT TRIGGER item_dependencies_backlog_update AFTER UPDATE ON item_dependencies
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (backlog_item_first_change(OLD.blocker_id) OR backlog_item_first_change(OLD.blocked_id)
          OR backlog_item_first_change(NEW.blocker_id) OR backlog_item_first_change(NEW.blocked_id))
    EXECUTE FUNCTION backlog_dependency_touched();
CREATE CONSTRAINT TRIGGER item_dependencies_backlog_delete AFTER DELETE ON item_dependencies
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (backlog_item_first_change(OLD.blocker_id) OR backlog_item_first_change(OLD.blocked_id))
    EXECUTE FUNCTION backlog_dependency_touched();

CREATE CONSTRAINT TRIGGER items_backlog_dependents AFTER UPDATE OF status ON items
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status AND backlog_blocks_elsewhere(NEW.id, NEW.product_id))
    EXECUTE FUNCTION backlog_dependents_touched();

CREATE CONSTRAINT TRIGGER teams_backlog_update AFTER UPDATE ON teams
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION backlog_team_touched();

CREATE CONSTRAINT TRIGGER users_backlog_update AFTER UPDATE ON users
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.email IS DISTINCT FROM NEW.email)
    EXECUTE FUNCTION backlog_user_touched();
