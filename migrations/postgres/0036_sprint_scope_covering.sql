-- On SQLite, 0035's partial index was not read as covering and is replaced (see the SQLite
-- migration of the same name). PostgreSQL answers the scope sums from it with an index-only
-- scan as it is, so only its purpose is recorded here.
COMMENT ON INDEX sprint_items_scope IS
    'a sprint''s current scope with its points: scope sums read from the index alone';
