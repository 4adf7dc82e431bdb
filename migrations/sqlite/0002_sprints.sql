-- The Scrum cycle (E5–E10): teams, availability, sprints, scope, review, retrospective.

-- Every status an item passes through, for burndowns and cycle times.
CREATE TABLE item_status_events (
    id      INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    status  TEXT NOT NULL CHECK (status IN ('todo', 'in_progress', 'in_review', 'done')),
    at      TEXT NOT NULL
);
CREATE INDEX item_status_events_item ON item_status_events(item_id, at);

CREATE TABLE teams (
    id              INTEGER PRIMARY KEY,
    workspace_id    INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    velocity_window BIGINT NOT NULL DEFAULT 3 CHECK (velocity_window BETWEEN 1 AND 12),
    wip_todo        BIGINT CHECK (wip_todo > 0),
    wip_in_progress BIGINT CHECK (wip_in_progress > 0),
    wip_in_review   BIGINT CHECK (wip_in_review > 0),
    version         BIGINT NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    UNIQUE (workspace_id, name)
);

CREATE TABLE team_products (
    team_id    INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    product_id INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, product_id)
);
CREATE INDEX team_products_product ON team_products(product_id);

CREATE TABLE team_members (
    team_id        INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    user_id        INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    points_per_day REAL NOT NULL DEFAULT 1 CHECK (points_per_day >= 0),
    focus_pct      BIGINT NOT NULL DEFAULT 100 CHECK (focus_pct BETWEEN 0 AND 100),
    PRIMARY KEY (team_id, user_id)
);

CREATE TABLE sprints (
    id               INTEGER PRIMARY KEY,
    product_id       INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    team_id          INTEGER NOT NULL REFERENCES teams(id),
    name             TEXT NOT NULL,
    goal             TEXT NOT NULL DEFAULT '',
    start_date       TEXT NOT NULL,
    end_date         TEXT NOT NULL,
    state            TEXT NOT NULL DEFAULT 'planned' CHECK (state IN ('planned', 'active', 'closed')),
    started_at       TEXT,
    closed_at        TEXT,
    goal_met         BOOLEAN,
    -- Frozen at start (baseline) and at close; never recomputed afterwards.
    baseline_points  BIGINT,
    added_points     BIGINT,
    removed_points   BIGINT,
    completed_points BIGINT,
    say_do_points    BIGINT,
    available_days   REAL,
    version          BIGINT NOT NULL DEFAULT 1,
    created_at       TEXT NOT NULL,
    CHECK (end_date >= start_date)
);
CREATE INDEX sprints_product ON sprints(product_id, start_date);
CREATE INDEX sprints_team ON sprints(team_id, start_date);

-- A member's availability in one sprint; rows are created for the team when the sprint is.
CREATE TABLE sprint_availability (
    sprint_id INTEGER NOT NULL REFERENCES sprints(id) ON DELETE CASCADE,
    user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    focus_pct BIGINT NOT NULL CHECK (focus_pct BETWEEN 0 AND 100),
    days_off  TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (sprint_id, user_id)
);

-- One row per stretch of time an item is in a sprint's scope: removing ends the stretch,
-- so scope changes stay visible after the fact.
CREATE TABLE sprint_items (
    id            INTEGER PRIMARY KEY,
    sprint_id     INTEGER NOT NULL REFERENCES sprints(id) ON DELETE CASCADE,
    item_id       INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    points        BIGINT NOT NULL DEFAULT 0,
    in_baseline   BOOLEAN NOT NULL DEFAULT FALSE,
    for_goal      BOOLEAN NOT NULL DEFAULT FALSE,
    exception     TEXT,
    added_at      TEXT NOT NULL,
    added_by      INTEGER NOT NULL REFERENCES users(id),
    add_reason    TEXT,
    removed_at    TEXT,
    removed_by    INTEGER REFERENCES users(id),
    remove_reason TEXT,
    change_group  TEXT,
    outcome       TEXT CHECK (outcome IN ('accepted', 'not_accepted')),
    carry         TEXT NOT NULL DEFAULT 'top' CHECK (carry IN ('top', 'next'))
);
CREATE UNIQUE INDEX sprint_items_current ON sprint_items(sprint_id, item_id) WHERE removed_at IS NULL;
CREATE INDEX sprint_items_item ON sprint_items(item_id);

CREATE TABLE review_verdicts (
    sprint_id  INTEGER NOT NULL REFERENCES sprints(id) ON DELETE CASCADE,
    item_id    INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    position   BIGINT NOT NULL,
    criterion  TEXT NOT NULL,
    pass       BOOLEAN NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    decided_by INTEGER NOT NULL REFERENCES users(id),
    decided_at TEXT NOT NULL,
    PRIMARY KEY (sprint_id, item_id, position)
);

CREATE TABLE retros (
    id         INTEGER PRIMARY KEY,
    sprint_id  INTEGER NOT NULL UNIQUE REFERENCES sprints(id) ON DELETE CASCADE,
    vote_limit BIGINT NOT NULL DEFAULT 3 CHECK (vote_limit BETWEEN 1 AND 20),
    version    BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);

CREATE TABLE retro_entries (
    id         INTEGER PRIMARY KEY,
    retro_id   INTEGER NOT NULL REFERENCES retros(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('went_well', 'to_improve', 'idea')),
    body       TEXT NOT NULL,
    author_id  INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX retro_entries_retro ON retro_entries(retro_id);

CREATE TABLE retro_votes (
    entry_id INTEGER NOT NULL REFERENCES retro_entries(id) ON DELETE CASCADE,
    user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    retro_id INTEGER NOT NULL REFERENCES retros(id) ON DELETE CASCADE,
    PRIMARY KEY (entry_id, user_id)
);
CREATE INDEX retro_votes_user ON retro_votes(retro_id, user_id);

CREATE TABLE retro_actions (
    id         INTEGER PRIMARY KEY,
    retro_id   INTEGER NOT NULL REFERENCES retros(id) ON DELETE CASCADE,
    entry_id   INTEGER REFERENCES retro_entries(id) ON DELETE SET NULL,
    item_id    INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    owner_id   INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX retro_actions_retro ON retro_actions(retro_id);
