-- Accounts, workspaces, products and roles.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL
);

CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL
);

CREATE TABLE login_attempts (
    id      INTEGER PRIMARY KEY,
    email   TEXT NOT NULL,
    at      TEXT NOT NULL,
    success BOOLEAN NOT NULL
);
CREATE INDEX login_attempts_email_at ON login_attempts(email, at);

CREATE TABLE workspaces (
    id         INTEGER PRIMARY KEY,
    slug       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    version    BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);

CREATE TABLE workspace_members (
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    is_admin     BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX workspace_members_user ON workspace_members(user_id);

CREATE TABLE products (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    key          TEXT NOT NULL,
    name         TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    next_number  BIGINT NOT NULL DEFAULT 1,
    ready_rules  TEXT NOT NULL DEFAULT '{}',
    version      BIGINT NOT NULL DEFAULT 1,
    created_at   TEXT NOT NULL,
    UNIQUE (workspace_id, key)
);

CREATE TABLE product_roles (
    product_id INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('pm', 'po', 'sm', 'dev', 'stakeholder')),
    PRIMARY KEY (product_id, user_id, role)
);
CREATE INDEX product_roles_user ON product_roles(user_id);

-- The backlog.
CREATE TABLE items (
    id          INTEGER PRIMARY KEY,
    product_id  INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    number      BIGINT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('story', 'bug', 'task', 'spike')),
    title       TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    persona     TEXT NOT NULL DEFAULT '',
    goal        TEXT NOT NULL DEFAULT '',
    benefit     TEXT NOT NULL DEFAULT '',
    points      BIGINT,
    status      TEXT NOT NULL CHECK (status IN ('todo', 'in_progress', 'in_review', 'done')),
    rank        TEXT NOT NULL,
    parent_id   INTEGER REFERENCES items(id) ON DELETE SET NULL,
    ready       BOOLEAN NOT NULL DEFAULT FALSE,
    readiness   TEXT NOT NULL DEFAULT '[]',
    created_by  INTEGER NOT NULL REFERENCES users(id),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1,
    UNIQUE (product_id, number),
    UNIQUE (product_id, rank)
);
-- Partial: most items have no parent, and statistics over all those NULLs would hide the index.
CREATE INDEX items_parent ON items(parent_id) WHERE parent_id IS NOT NULL;

CREATE TABLE item_labels (
    item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    label   TEXT NOT NULL,
    PRIMARY KEY (item_id, label)
);
CREATE INDEX item_labels_label ON item_labels(label, item_id);

CREATE TABLE criteria (
    id       INTEGER PRIMARY KEY,
    item_id  INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    text     TEXT NOT NULL,
    UNIQUE (item_id, position)
);

CREATE TABLE item_dependencies (
    blocker_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    blocked_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    PRIMARY KEY (blocker_id, blocked_id),
    CHECK (blocker_id <> blocked_id)
);
CREATE INDEX item_dependencies_blocked ON item_dependencies(blocked_id);

CREATE TABLE questions (
    id          INTEGER PRIMARY KEY,
    item_id     INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    -- Denormalised so per-product answer times do not scan the product's items.
    product_id  INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    body        TEXT NOT NULL,
    asked_by    INTEGER NOT NULL REFERENCES users(id),
    asked_at    TEXT NOT NULL,
    answer      TEXT,
    answered_by INTEGER REFERENCES users(id),
    answered_at TEXT,
    version     BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX questions_item ON questions(item_id);
CREATE INDEX questions_product_answered ON questions(product_id, answered_at);

CREATE TABLE saved_views (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    product_id INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    query      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (user_id, product_id, name)
);

-- Append-only: no UPDATE or DELETE is ever issued against it.
CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    actor_id     INTEGER REFERENCES users(id),
    action       TEXT NOT NULL,
    entity_type  TEXT NOT NULL,
    entity_id    BIGINT NOT NULL,
    before_json  TEXT,
    after_json   TEXT,
    reason       TEXT,
    at           TEXT NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log(entity_type, entity_id, id);
CREATE INDEX audit_log_workspace ON audit_log(workspace_id, id);
