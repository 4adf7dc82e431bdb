-- Documents (D1): a document can be sent for sign-off (its text and source versions frozen in
-- the snapshot), and the Product Owner can put an item that is not ready into hand-off kits
-- with a reason. SQLite changes a CHECK only by rebuilding the table; foreign keys are off
-- for the migrations (`Db::migrate`) and every reference is checked before this commits.
CREATE TABLE signoff_requests_0023 (
    id           INTEGER PRIMARY KEY,
    product_id   INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    subject      TEXT NOT NULL CHECK (subject IN ('roadmap', 'decision', 'document')),
    decision_id  INTEGER REFERENCES decisions(id) ON DELETE SET NULL,
    title        TEXT NOT NULL,
    -- The roadmap, decision or document as it was when sign-off was asked (JSON).
    snapshot     TEXT NOT NULL,
    requested_by INTEGER NOT NULL REFERENCES users(id),
    created_at   TEXT NOT NULL
);
INSERT INTO signoff_requests_0023 (id, product_id, subject, decision_id, title, snapshot, requested_by, created_at)
SELECT id, product_id, subject, decision_id, title, snapshot, requested_by, created_at FROM signoff_requests;
DROP TABLE signoff_requests;
ALTER TABLE signoff_requests_0023 RENAME TO signoff_requests;
CREATE INDEX signoff_requests_product ON signoff_requests(product_id, id);

CREATE TABLE kit_exceptions (
    item_id    INTEGER PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
    reason     TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);

CREATE TEMP TABLE fk_check_0023 (violations BIGINT NOT NULL CHECK (violations = 0));
INSERT INTO fk_check_0023 SELECT COUNT(*) FROM pragma_foreign_key_check;
DROP TABLE fk_check_0023;
