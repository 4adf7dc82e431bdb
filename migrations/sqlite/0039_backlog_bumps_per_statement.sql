-- PostgreSQL queues the backlog count's bumps of bulk inserts in this table, from
-- statement-level triggers (see migrations/postgres/0039). SQLite has no statement-level
-- triggers; its per-row triggers of 0033 and 0034 stay, and run in-process, where a test per
-- row costs little. The table exists, always empty, so that both databases have the same
-- tables.
CREATE TABLE backlog_bumps (
    product_id BIGINT NOT NULL
);
