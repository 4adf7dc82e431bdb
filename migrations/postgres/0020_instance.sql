-- The instance (issue 18): its admins, and the settings they keep (who may create workspaces,
-- how accounts are made, which e-mail domains may join). The first account that signs in is
-- the instance's first admin.
ALTER TABLE users ADD COLUMN instance_admin BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE users SET instance_admin = TRUE
 WHERE id = (SELECT MIN(id) FROM users WHERE NOT placeholder);

-- One row. `allowed_domains` is a comma-separated list; empty allows every domain.
CREATE TABLE instance_settings (
    id                 BIGINT PRIMARY KEY CHECK (id = 1),
    workspace_creation TEXT NOT NULL DEFAULT 'anyone'
                       CHECK (workspace_creation IN ('anyone', 'admins')),
    signup             TEXT NOT NULL DEFAULT 'invitation' CHECK (signup IN ('invitation', 'closed')),
    allowed_domains    TEXT NOT NULL DEFAULT '',
    version            BIGINT NOT NULL DEFAULT 1
);
INSERT INTO instance_settings (id) VALUES (1);

-- A change to the instance belongs to no workspace.
ALTER TABLE audit_log ALTER COLUMN workspace_id DROP NOT NULL;
