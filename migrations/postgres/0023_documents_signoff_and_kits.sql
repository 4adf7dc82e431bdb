-- Documents (D1): a document can be sent for sign-off (its text and source versions frozen in
-- the snapshot), and the Product Owner can put an item that is not ready into hand-off kits
-- with a reason.
ALTER TABLE signoff_requests DROP CONSTRAINT signoff_requests_subject_check;
ALTER TABLE signoff_requests ADD CONSTRAINT signoff_requests_subject_check
    CHECK (subject IN ('roadmap', 'decision', 'document'));

CREATE TABLE kit_exceptions (
    item_id    BIGINT PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
    reason     TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at TIMESTAMPTZ NOT NULL
);
