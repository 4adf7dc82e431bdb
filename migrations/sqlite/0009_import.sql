-- Items brought in from another tool (PRODUCT.md D2) keep that tool's key, e.g. Jira's ABC-12,
-- so that importing the same export again updates them instead of adding copies; and the time
-- the source last changed them, so an older or equal export never overwrites later edits here.
ALTER TABLE items ADD COLUMN external_key TEXT;
ALTER TABLE items ADD COLUMN external_updated TEXT;
CREATE UNIQUE INDEX items_external_key ON items(product_id, external_key) WHERE external_key IS NOT NULL;
