-- Imports bring the team along (D2): everyone a file names becomes a member of the workspace.
-- Someone with no account yet gets a placeholder account: it has no password, so it cannot sign
-- in until an admin invites them, and it is marked so the members list can say so.
ALTER TABLE users ADD COLUMN placeholder BOOLEAN NOT NULL DEFAULT FALSE;

-- Who reported an item, as the file says (the creator, `created_by`, is whoever imported it).
ALTER TABLE items ADD COLUMN reporter_id BIGINT REFERENCES users(id) ON DELETE SET NULL;
