-- A closed sprint keeps the alignment it had at close (PRODUCT.md, Definitions): the quarter's
-- priorities and the unaligned allowance then (JSON), and the priority each item served, so a
-- later priority change never rewrites history. NULL for sprints closed before this version.
ALTER TABLE sprints ADD COLUMN alignment_frozen TEXT;
ALTER TABLE sprint_items ADD COLUMN frozen_priority_id BIGINT;
-- Why the PO accepted an item that was neither In review nor Done.
ALTER TABLE sprint_items ADD COLUMN accept_reason TEXT;

-- Every answer to a sign-off request, kept when the person answers again.
CREATE TABLE signoff_answer_log (
    id          INTEGER PRIMARY KEY,
    request_id  INTEGER NOT NULL REFERENCES signoff_requests(id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    answer      TEXT NOT NULL CHECK (answer IN ('approve', 'request_changes')),
    comment     TEXT NOT NULL DEFAULT '',
    answered_at TEXT NOT NULL
);
CREATE INDEX signoff_answer_log_request ON signoff_answer_log(request_id, id);
INSERT INTO signoff_answer_log (request_id, user_id, answer, comment, answered_at)
    SELECT request_id, user_id, answer, comment, answered_at FROM signoff_answers;

-- Only questions from the product team (pm, po, sm, dev) block readiness (E4); a
-- stakeholder's question is a comment that the PO may still answer.
ALTER TABLE questions ADD COLUMN blocking BOOLEAN NOT NULL DEFAULT TRUE;
UPDATE questions SET blocking = FALSE WHERE NOT EXISTS (
    SELECT 1 FROM product_roles r WHERE r.product_id = questions.product_id AND r.user_id = questions.asked_by
       AND r.role IN ('pm', 'po', 'sm', 'dev'));

-- Comment threads on items (E4): anyone who reads the item comments; a comment with a
-- question_id is a follow-up in that question's thread. Edits keep the earlier text.
CREATE TABLE comments (
    id          INTEGER PRIMARY KEY,
    item_id     INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    question_id INTEGER REFERENCES questions(id) ON DELETE CASCADE,
    body        TEXT NOT NULL,
    author_id   INTEGER NOT NULL REFERENCES users(id),
    created_at  TEXT NOT NULL,
    edited_at   TEXT,
    version     BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX comments_item ON comments(item_id, id);
CREATE TABLE comment_edits (
    id         INTEGER PRIMARY KEY,
    comment_id INTEGER NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
    -- The text as it was before this edit.
    body       TEXT NOT NULL,
    edited_at  TEXT NOT NULL
);
CREATE INDEX comment_edits_comment ON comment_edits(comment_id, id);

-- A saved view its owner shares is offered to everyone on the product.
ALTER TABLE saved_views ADD COLUMN shared BOOLEAN NOT NULL DEFAULT FALSE;
