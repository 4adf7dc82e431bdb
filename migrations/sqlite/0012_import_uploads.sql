-- The Import page reads an upload and shows what it would do before anything is written; the
-- file waits here between that preview and the confirmation, so any server process (several
-- may share one PostgreSQL database) can start the import. Rows are removed when confirmed and
-- after an hour; the token is random and only its uploader may use it, for that product.
CREATE TABLE import_uploads (
    id          INTEGER PRIMARY KEY,
    token_hash  TEXT NOT NULL UNIQUE,
    product_id  INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    file_name   TEXT NOT NULL,
    format      TEXT,
    dry_run     BOOLEAN NOT NULL,
    content     BLOB NOT NULL,
    created_at  TEXT NOT NULL
);
