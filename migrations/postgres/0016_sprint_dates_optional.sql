-- A sprint imported from a file that names it without dates (Jira CSV and XML) has none: its
-- dates are NULL rather than invented.
ALTER TABLE sprints ALTER COLUMN start_date DROP NOT NULL;
ALTER TABLE sprints ALTER COLUMN end_date DROP NOT NULL;
CREATE INDEX sprints_product_name ON sprints(product_id, name);
