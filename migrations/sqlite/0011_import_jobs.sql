-- Imports started over the API (PRODUCT.md D2) run in the background: the job keeps its state,
-- progress and final report, so a client can poll it and a restarted server still answers for
-- it (a job a restart cut short is marked failed; its transaction never committed).
CREATE TABLE import_jobs (
    id           INTEGER PRIMARY KEY,
    product_id   INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    created_by   INTEGER NOT NULL REFERENCES users(id),
    file_name    TEXT NOT NULL,
    format       TEXT NOT NULL,
    dry_run      BOOLEAN NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    items_total  INTEGER NOT NULL,
    report_json  TEXT,
    error        TEXT,
    created_at   TEXT NOT NULL,
    finished_at  TEXT
);
CREATE INDEX import_jobs_product ON import_jobs(product_id, id);
