-- On SQLite, 0035's partial index was not read as covering and is replaced (see the SQLite
-- migration of the same name). PostgreSQL's planner reads a sprint's few hundred scope rows
-- with a bitmap scan of this index and then the table, whether removed_at is in the index or
-- only in its WHERE (tried on a scratch table of 40,600 rows), so it stays as it is; only its
-- purpose is recorded here.
COMMENT ON INDEX sprint_items_scope IS
    'a sprint''s current scope with its points, for the scope sums';
