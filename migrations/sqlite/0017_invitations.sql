-- Invitations by link (issue 18): a workspace admin invites someone by e-mail, or invites a
-- placeholder an import made, and hands them a link. The link's secret is shown once; only its
-- hash is stored. Accepting sets a password (and the e-mail when the placeholder had none),
-- turns a placeholder into a normal account that keeps its imported history, or creates a new
-- account, and makes it a member with the roles below.
CREATE TABLE invitations (
    id             INTEGER PRIMARY KEY,
    workspace_id   INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    -- The address the account will have; none when a placeholder without a real e-mail is
    -- claimed (the person gives one when accepting).
    email          TEXT,
    placeholder_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
    admin          BOOLEAN NOT NULL DEFAULT FALSE,
    token_hash     TEXT NOT NULL UNIQUE,
    created_by     INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at     TEXT NOT NULL,
    expires_at     TEXT NOT NULL,
    accepted_at    TEXT,
    accepted_by    INTEGER REFERENCES users(id) ON DELETE SET NULL,
    revoked_at     TEXT,
    CHECK (email IS NOT NULL OR placeholder_id IS NOT NULL)
);
CREATE INDEX invitations_workspace ON invitations(workspace_id, id);

-- The product roles an invitation grants when it is accepted (none for a placeholder who holds
-- roles already).
CREATE TABLE invitation_roles (
    invitation_id INTEGER NOT NULL REFERENCES invitations(id) ON DELETE CASCADE,
    product_id    INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    role          TEXT NOT NULL CHECK (role IN ('pm', 'po', 'sm', 'dev', 'stakeholder')),
    PRIMARY KEY (invitation_id, product_id, role)
);
