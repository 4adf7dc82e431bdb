-- The strict tier check looks for a better-tier item below a position by walking the items
-- of the better priorities' initiatives; with the rank in the index each initiative is one
-- range probe instead of a read of all its items. It supersedes the single-column index.
DROP INDEX items_initiative;
CREATE INDEX items_initiative_rank ON items(initiative_id, rank) WHERE initiative_id IS NOT NULL;
