-- The instance (issue 18): its admins, and the settings they keep (who may create workspaces,
-- how accounts are made, which e-mail domains may join). The first account that signs in is
-- the instance's first admin.
ALTER TABLE users ADD COLUMN instance_admin BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE users SET instance_admin = TRUE
 WHERE id = (SELECT MIN(id) FROM users WHERE NOT placeholder);

-- One row. `allowed_domains` is a comma-separated list; empty allows every domain.
CREATE TABLE instance_settings (
    id                 INTEGER PRIMARY KEY CHECK (id = 1),
    workspace_creation TEXT NOT NULL DEFAULT 'anyone'
                       CHECK (workspace_creation IN ('anyone', 'admins')),
    signup             TEXT NOT NULL DEFAULT 'invitation' CHECK (signup IN ('invitation', 'closed')),
    allowed_domains    TEXT NOT NULL DEFAULT '',
    version            INTEGER NOT NULL DEFAULT 1
);
INSERT INTO instance_settings (id) VALUES (1);

-- A change to the instance belongs to no workspace, so the audit log's workspace becomes
-- optional (SQLite changes a column's constraint only by rebuilding the table).
CREATE TABLE audit_log_new (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER REFERENCES workspaces(id) ON DELETE CASCADE,
    actor_id     INTEGER REFERENCES users(id),
    action       TEXT NOT NULL,
    entity_type  TEXT NOT NULL,
    entity_id    BIGINT NOT NULL,
    before_json  TEXT,
    after_json   TEXT,
    reason       TEXT,
    at           TEXT NOT NULL
);
INSERT INTO audit_log_new (id, workspace_id, actor_id, action, entity_type, entity_id,
                           before_json, after_json, reason, at)
SELECT id, workspace_id, actor_id, action, entity_type, entity_id,
       before_json, after_json, reason, at FROM audit_log;
DROP TABLE audit_log;
ALTER TABLE audit_log_new RENAME TO audit_log;
CREATE INDEX audit_log_entity ON audit_log(entity_type, entity_id, id);
CREATE INDEX audit_log_workspace ON audit_log(workspace_id, id);
