-- E-mail (issue 13): how each person hears of notifications by e-mail, the outbox the
-- notification worker sends from (leased like webhook deliveries, so several server processes
-- share it), and password resets by e-mail.

-- immediate: one message per notification; daily: one digest a day; off: the inbox only.
ALTER TABLE users ADD COLUMN email_notifications TEXT NOT NULL DEFAULT 'immediate'
    CHECK (email_notifications IN ('immediate', 'daily', 'off'));
-- The one-click unsubscribe link's secret, made when the first message needs it. It can only
-- turn the person's notification e-mail off.
ALTER TABLE users ADD COLUMN unsubscribe_token TEXT;
CREATE UNIQUE INDEX users_unsubscribe_token ON users(unsubscribe_token);

-- When a notification was e-mailed (or judged not to be). News from before mail existed is
-- never sent.
ALTER TABLE notifications ADD COLUMN mailed_at TEXT;
UPDATE notifications SET mailed_at = created_at;
CREATE INDEX notifications_unmailed ON notifications(user_id, created_at) WHERE mailed_at IS NULL;

CREATE TABLE mail_outbox (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('notification', 'digest', 'password_reset', 'invitation')),
    user_id         INTEGER REFERENCES users(id) ON DELETE CASCADE,
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    -- The bodies are emptied once sent: resets and invitations carry secrets.
    body_text       TEXT NOT NULL,
    body_html       TEXT NOT NULL,
    unsubscribe_url TEXT,
    state           TEXT NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'sent', 'failed', 'cancelled')),
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    leased_until    TEXT,
    lease_owner     TEXT,
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    sent_at         TEXT
);
CREATE INDEX mail_outbox_due ON mail_outbox(next_attempt_at) WHERE state = 'pending';
CREATE INDEX mail_outbox_user ON mail_outbox(user_id, id);

-- A reset link's secret is shown only in the e-mail; its hash is kept. Single use, and it
-- expires.
CREATE TABLE password_resets (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
);
CREATE INDEX password_resets_user ON password_resets(user_id, created_at);
