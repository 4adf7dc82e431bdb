-- Each product counts the changes to what its backlog listing shows (the items, their labels
-- and evidence, tier exemptions), so that a server may keep a listing while the count stays
-- the same (src/db/kept.rs). Initiatives' titles and the quarter's priorities, which the
-- listing also shows, are counted by roadmap_versions (0032). Triggers count every writer: the
-- API, the CLI, an import, another server process.
CREATE TABLE backlog_versions (
    product_id INTEGER PRIMARY KEY REFERENCES products(id) ON DELETE CASCADE,
    version    BIGINT NOT NULL DEFAULT 0
);
INSERT INTO backlog_versions (product_id, version) SELECT id, 0 FROM products;

CREATE TRIGGER products_backlog_versions AFTER INSERT ON products BEGIN
    INSERT INTO backlog_versions (product_id, version) VALUES (NEW.id, 0);
END;

CREATE TRIGGER items_backlog_insert AFTER INSERT ON items BEGIN
    UPDATE backlog_versions SET version = version + 1 WHERE product_id = NEW.product_id;
END;
CREATE TRIGGER items_backlog_delete AFTER DELETE ON items BEGIN
    UPDATE backlog_versions SET version = version + 1 WHERE product_id = OLD.product_id;
END;
CREATE TRIGGER items_backlog_update AFTER UPDATE ON items BEGIN
    UPDATE backlog_versions SET version = version + 1 WHERE product_id IN (OLD.product_id, NEW.product_id);
END;

CREATE TRIGGER item_labels_backlog_insert AFTER INSERT ON item_labels BEGIN
    UPDATE backlog_versions SET version = version + 1
     WHERE product_id = (SELECT product_id FROM items WHERE id = NEW.item_id);
END;
CREATE TRIGGER item_labels_backlog_delete AFTER DELETE ON item_labels BEGIN
    UPDATE backlog_versions SET version = version + 1
     WHERE product_id = (SELECT product_id FROM items WHERE id = OLD.item_id);
END;
CREATE TRIGGER item_labels_backlog_update AFTER UPDATE ON item_labels BEGIN
    UPDATE backlog_versions SET version = version + 1
     WHERE product_id IN (SELECT product_id FROM items WHERE id IN (OLD.item_id, NEW.item_id));
END;

CREATE TRIGGER item_evidence_backlog_insert AFTER INSERT ON item_evidence BEGIN
    UPDATE backlog_versions SET version = version + 1
     WHERE product_id = (SELECT product_id FROM items WHERE id = NEW.item_id);
END;
CREATE TRIGGER item_evidence_backlog_delete AFTER DELETE ON item_evidence BEGIN
    UPDATE backlog_versions SET version = version + 1
     WHERE product_id = (SELECT product_id FROM items WHERE id = OLD.item_id);
END;
CREATE TRIGGER item_evidence_backlog_update AFTER UPDATE ON item_evidence BEGIN
    UPDATE backlog_versions SET version = version + 1
     WHERE product_id IN (SELECT product_id FROM items WHERE id IN (OLD.item_id, NEW.item_id));
END;

CREATE TRIGGER tier_exemptions_backlog_insert AFTER INSERT ON tier_exemptions BEGIN
    UPDATE backlog_versions SET version = version + 1 WHERE product_id = NEW.product_id;
END;
CREATE TRIGGER tier_exemptions_backlog_delete AFTER DELETE ON tier_exemptions BEGIN
    UPDATE backlog_versions SET version = version + 1 WHERE product_id = OLD.product_id;
END;
CREATE TRIGGER tier_exemptions_backlog_update AFTER UPDATE ON tier_exemptions BEGIN
    UPDATE backlog_versions SET version = version + 1 WHERE product_id IN (OLD.product_id, NEW.product_id);
END;
