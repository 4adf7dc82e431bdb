-- The sprint boards are kept like the backlog listing (0033), under the same count: what a
-- board shows beyond the items is counted here too. Sprints and their scope, the items'
-- status events and dependencies bump their product's count; an item's status the counts of
-- the other products whose items it blocks (a card says "Blocked by" while its blocker is not
-- done, and a blocker may be another product's); a team's name or WIP limits the counts of
-- the products it works on or runs sprints of; a person's name (a card shows the assignee's
-- initials) the counts of the products of their workspaces.
CREATE TRIGGER sprints_backlog_insert AFTER INSERT ON sprints BEGIN
    UPDATE backlog_versions SET version = version + 1 WHERE product_id = NEW.product_id;
END;
CREATE TRIGGER sprints_backlog_delete AFTER DELETE ON sprints BEGIN
    UPDATE backlog_versions SET version = version + 1 WHERE product_id = OLD.product_id;
END;
CREATE TRIGGER sprints_backlog_update AFTER UPDATE ON sprints BEGIN
    UPDATE backlog_versions SET version = version + 1 WHERE product_id IN (OLD.product_id, NEW.product_id);
END;

CREATE TRIGGER sprint_items_backlog_insert AFTER INSERT ON sprint_items BEGIN
    UPDATE backlog_versions SET version = version + 1
     WHERE product_id = (SELECT product_id FROM sprints WHERE id = NEW.sprint_id);
END;
CREATE TRIGGER sprint_items_backlog_delete AFTER DELETE ON sprint_items BEGIN
    UPDATE backlog_versions SET version = version + 1
     WHERE product_id = (SELECT product_id FROM sprints WHERE id = OLD.sprint_id);
END;
CREATE TRIGGER sprint_items_backlog_update AFTER UPDATE ON sprint_items BEGIN
    UPDATE backlog_versions SET version = version + 1
     WHERE product_id IN (SELECT product_id FROM sprints WHERE id IN (OLD.sprint_id, NEW.sprint_id));
END;

CREATE TRIGGER item_status_events_backlog_insert AFTER INSERT ON item_status_events BEGIN
    UPDATE backlog_versions SET version = version + 1
     WHERE product_id = (SELECT product_id FROM items WHERE id = NEW.item_id);
END;
CREATE TRIGGER item_status_events_backlog_delete AFTER DELETE ON item_status_events BEGIN
    UPDATE backlog_versions SET version = version + 1
     WHERE product_id = (SELECT product_id FROM items WHERE id = OLD.item_id);
END;
CREATE TRIGGER item_status_events_backlog_update AFTER UPDATE ON item_status_events BEGIN
    UPDATE backlog_versions SET version = version + 1
     WHERE product_id IN (SELECT product_id FROM items WHERE id IN (OLD.item_id, NEW.item_id));
END;

CREATE TRIGGER item_dependencies_backlog_insert AFTER INSERT ON item_dependencies BEGIN
    UPDATE backlog_versions SET version = version + 1
     WHERE product_id IN (SELECT product_id FROM items WHERE id IN (NEW.blocker_id, NEW.blocked_id));
END;
CREATE TRIGGER item_dependencies_backlog_delete AFTER DELETE ON item_dependencies BEGIN
    UPDATE backlog_versions SET version = version + 1
     WHERE product_id IN (SELECT product_id FROM items WHERE id IN (OLD.blocker_id, OLD.blocked_id));
END;
CREATE TRIGGER item_dependencies_backlog_update AFTER UPDATE ON item_dependencies BEGIN
    UPDATE backlog_versions SET version = version + 1
     WHERE product_id IN (SELECT product_id FROM items
                          WHERE id IN (OLD.blocker_id, OLD.blocked_id, NEW.blocker_id, NEW.blocked_id));
END;

CREATE TRIGGER items_backlog_dependents AFTER UPDATE OF status ON items
    WHEN OLD.status IS NOT NEW.status
BEGIN
    UPDATE backlog_versions SET version = version + 1
     WHERE product_id IN (SELECT i.product_id FROM item_dependencies d JOIN items i ON i.id = d.blocked_id
                          WHERE d.blocker_id = NEW.id AND i.product_id <> NEW.product_id);
END;

CREATE TRIGGER teams_backlog_update AFTER UPDATE ON teams BEGIN
    UPDATE backlog_versions SET version = version + 1
     WHERE product_id IN (SELECT product_id FROM team_products WHERE team_id = NEW.id
                          UNION SELECT product_id FROM sprints WHERE team_id = NEW.id);
END;

CREATE TRIGGER users_backlog_update AFTER UPDATE OF name, email ON users
    WHEN OLD.name IS NOT NEW.name OR OLD.email IS NOT NEW.email
BEGIN
    UPDATE backlog_versions SET version = version + 1
     WHERE product_id IN (SELECT p.id FROM products p
                          JOIN workspace_members m ON m.workspace_id = p.workspace_id
                          WHERE m.user_id = NEW.id);
END;
