-- Single sign-on with OpenID Connect (issue 13). Providers an instance admin adds on /admin/sso
-- (one more may come from the configuration: THROUGHLINE_OIDC_*); the client secret is kept to
-- talk to the provider and never shown back.
CREATE TABLE sso_providers (
    id              INTEGER PRIMARY KEY,
    -- In the addresses /sso/{slug}/start and /sso/{slug}/callback.
    slug            TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    issuer          TEXT NOT NULL,
    client_id       TEXT NOT NULL,
    client_secret   TEXT NOT NULL,
    -- Comma-separated e-mail domains that may sign in this way; empty allows every domain.
    allowed_domains TEXT NOT NULL DEFAULT '',
    -- A workspace (by slug) that new people join, with this role on each of its products.
    workspace       TEXT,
    role            TEXT CHECK (role IN ('pm', 'po', 'sm', 'dev', 'stakeholder')),
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL
);

-- Sign-ins sent to a provider and not yet back: the state (hashed), the nonce and the PKCE
-- verifier. In the database, so that any server process may take the provider's answer; each
-- is taken once, and only before it expires.
CREATE TABLE sso_pending (
    state_hash    TEXT PRIMARY KEY,
    provider      TEXT NOT NULL,
    nonce         TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    expires_at    TEXT NOT NULL
);
CREATE INDEX sso_pending_expiry ON sso_pending(expires_at);

-- Which provider a session came from, and its ID token, for the provider's sign-out.
CREATE TABLE sso_sessions (
    session_hash TEXT PRIMARY KEY REFERENCES sessions(id_hash) ON DELETE CASCADE,
    provider     TEXT NOT NULL,
    id_token     TEXT NOT NULL
);

-- Whether people may sign in with a local password (one row). Turned off, only single sign-on
-- signs people in; `throughline sso passwords on` turns it back on from the server's terminal.
CREATE TABLE sso_settings (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    local_passwords BOOLEAN NOT NULL DEFAULT TRUE,
    version         INTEGER NOT NULL DEFAULT 1
);
INSERT INTO sso_settings (id) VALUES (1);
