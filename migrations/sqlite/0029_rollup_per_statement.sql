-- PostgreSQL adds up a statement's inserted items per initiative in one statement-level
-- trigger (see migrations/postgres/0029). SQLite has no statement-level triggers; its per-row
-- trigger of 0007 stays, and runs in-process, where an update per item costs little. This
-- migration exists so both databases list the same versions.
SELECT 1;
