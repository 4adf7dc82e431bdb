-- The Product Manager's strategic layer (S4–S6): objectives, success metrics, quarterly
-- priorities and initiatives, and the link from backlog items to their initiative.

CREATE TABLE objectives (
    id          INTEGER PRIMARY KEY,
    product_id  INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    quarter     TEXT NOT NULL CHECK (length(quarter) = 7),
    title       TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    version     BIGINT NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX objectives_product_quarter ON objectives(product_id, quarter);

CREATE TABLE metrics (
    id           INTEGER PRIMARY KEY,
    product_id   INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    objective_id INTEGER REFERENCES objectives(id) ON DELETE SET NULL,
    name         TEXT NOT NULL,
    unit         TEXT NOT NULL DEFAULT '',
    direction    TEXT NOT NULL CHECK (direction IN ('up', 'down')),
    baseline     DOUBLE PRECISION NOT NULL,
    target       DOUBLE PRECISION NOT NULL,
    version      BIGINT NOT NULL DEFAULT 1,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX metrics_product ON metrics(product_id);
CREATE INDEX metrics_objective ON metrics(objective_id) WHERE objective_id IS NOT NULL;

-- One measured value per metric and day (`YYYY-MM-DD`).
CREATE TABLE metric_values (
    metric_id   INTEGER NOT NULL REFERENCES metrics(id) ON DELETE CASCADE,
    measured_on TEXT NOT NULL CHECK (length(measured_on) = 10),
    value       DOUBLE PRECISION NOT NULL,
    recorded_by INTEGER NOT NULL REFERENCES users(id),
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (metric_id, measured_on)
);

-- Ranked per product and quarter with fractional ranks, like the backlog.
CREATE TABLE priorities (
    id          INTEGER PRIMARY KEY,
    product_id  INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    quarter     TEXT NOT NULL CHECK (length(quarter) = 7),
    title       TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    rank        TEXT NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (product_id, quarter, rank)
);

CREATE TABLE priority_objectives (
    priority_id  INTEGER NOT NULL REFERENCES priorities(id) ON DELETE CASCADE,
    objective_id INTEGER NOT NULL REFERENCES objectives(id) ON DELETE CASCADE,
    PRIMARY KEY (priority_id, objective_id)
);
CREATE INDEX priority_objectives_objective ON priority_objectives(objective_id);

CREATE TABLE initiatives (
    id               INTEGER PRIMARY KEY,
    product_id       INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    title            TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL CHECK (status IN ('idea', 'discovery', 'planned', 'in_progress', 'shipped', 'dropped')),
    reach            BIGINT CHECK (reach >= 0),
    impact           DOUBLE PRECISION CHECK (impact IN (0.25, 0.5, 1, 2, 3)),
    confidence       BIGINT CHECK (confidence BETWEEN 0 AND 100),
    effort           DOUBLE PRECISION CHECK (effort > 0),
    business_value   BIGINT CHECK (business_value BETWEEN 1 AND 20),
    time_criticality BIGINT CHECK (time_criticality BETWEEN 1 AND 20),
    risk_reduction   BIGINT CHECK (risk_reduction BETWEEN 1 AND 20),
    job_size         BIGINT CHECK (job_size BETWEEN 1 AND 20),
    version          BIGINT NOT NULL DEFAULT 1,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX initiatives_product ON initiatives(product_id, status);

-- An initiative serves at most one priority per quarter (`quarter` is the priority's, copied
-- here so the database enforces it). An item's tier for a quarter is the position of its
-- initiative's priority in that quarter.
CREATE TABLE priority_initiatives (
    priority_id   INTEGER NOT NULL REFERENCES priorities(id) ON DELETE CASCADE,
    initiative_id INTEGER NOT NULL REFERENCES initiatives(id) ON DELETE CASCADE,
    quarter       TEXT NOT NULL,
    PRIMARY KEY (priority_id, initiative_id),
    UNIQUE (initiative_id, quarter)
);

CREATE TABLE initiative_metrics (
    initiative_id INTEGER NOT NULL REFERENCES initiatives(id) ON DELETE CASCADE,
    metric_id     INTEGER NOT NULL REFERENCES metrics(id) ON DELETE CASCADE,
    PRIMARY KEY (initiative_id, metric_id)
);
CREATE INDEX initiative_metrics_metric ON initiative_metrics(metric_id);

ALTER TABLE items ADD COLUMN initiative_id INTEGER REFERENCES initiatives(id) ON DELETE SET NULL;
CREATE INDEX items_initiative ON items(initiative_id) WHERE initiative_id IS NOT NULL;

-- Vision (S0), personas (S2), research sources and insights as evidence (S1).
ALTER TABLE products ADD COLUMN vision TEXT NOT NULL DEFAULT '';
ALTER TABLE products ADD COLUMN target_segments TEXT NOT NULL DEFAULT '';
ALTER TABLE products ADD COLUMN positioning TEXT NOT NULL DEFAULT '';

CREATE TABLE personas (
    id         INTEGER PRIMARY KEY,
    product_id INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    segment    TEXT NOT NULL DEFAULT '',
    goals      TEXT NOT NULL DEFAULT '',
    pains      TEXT NOT NULL DEFAULT '',
    version    BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (product_id, name)
);

ALTER TABLE items ADD COLUMN persona_id INTEGER REFERENCES personas(id) ON DELETE SET NULL;
CREATE INDEX items_persona ON items(persona_id) WHERE persona_id IS NOT NULL;

CREATE TABLE research_sources (
    id          INTEGER PRIMARY KEY,
    product_id  INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('interview', 'survey', 'support_ticket', 'sales_call', 'analytics_note')),
    title       TEXT NOT NULL,
    happened_on TEXT NOT NULL CHECK (length(happened_on) = 10),
    customer    TEXT NOT NULL DEFAULT '',
    segment     TEXT NOT NULL DEFAULT '',
    notes       TEXT NOT NULL DEFAULT '',
    version     BIGINT NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX research_sources_product ON research_sources(product_id, happened_on);

CREATE TABLE insights (
    id         INTEGER PRIMARY KEY,
    product_id INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    source_id  INTEGER NOT NULL REFERENCES research_sources(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('quote', 'observation')),
    body       TEXT NOT NULL,
    importance BIGINT NOT NULL CHECK (importance BETWEEN 1 AND 5),
    persona_id INTEGER REFERENCES personas(id) ON DELETE SET NULL,
    -- Space-separated, lower-case.
    tags       TEXT NOT NULL DEFAULT '',
    version    BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX insights_source ON insights(source_id);
CREATE INDEX insights_product ON insights(product_id, id);

CREATE TABLE initiative_evidence (
    insight_id    INTEGER NOT NULL REFERENCES insights(id) ON DELETE CASCADE,
    initiative_id INTEGER NOT NULL REFERENCES initiatives(id) ON DELETE CASCADE,
    PRIMARY KEY (insight_id, initiative_id)
);
CREATE INDEX initiative_evidence_initiative ON initiative_evidence(initiative_id);

CREATE TABLE item_evidence (
    insight_id INTEGER NOT NULL REFERENCES insights(id) ON DELETE CASCADE,
    item_id    INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    PRIMARY KEY (insight_id, item_id)
);
CREATE INDEX item_evidence_item ON item_evidence(item_id);

-- Full-text search over insights and sources (FTS5, kept in step by triggers).
CREATE VIRTUAL TABLE insights_fts USING fts5(body, tags, content='insights', content_rowid='id', tokenize='porter unicode61');
CREATE TRIGGER insights_fts_insert AFTER INSERT ON insights BEGIN
    INSERT INTO insights_fts(rowid, body, tags) VALUES (new.id, new.body, new.tags);
END;
CREATE TRIGGER insights_fts_delete AFTER DELETE ON insights BEGIN
    INSERT INTO insights_fts(insights_fts, rowid, body, tags) VALUES ('delete', old.id, old.body, old.tags);
END;
CREATE TRIGGER insights_fts_update AFTER UPDATE OF body, tags ON insights BEGIN
    INSERT INTO insights_fts(insights_fts, rowid, body, tags) VALUES ('delete', old.id, old.body, old.tags);
    INSERT INTO insights_fts(rowid, body, tags) VALUES (new.id, new.body, new.tags);
END;
CREATE VIRTUAL TABLE sources_fts USING fts5(title, customer, segment, notes, content='research_sources', content_rowid='id', tokenize='porter unicode61');
CREATE TRIGGER sources_fts_insert AFTER INSERT ON research_sources BEGIN
    INSERT INTO sources_fts(rowid, title, customer, segment, notes) VALUES (new.id, new.title, new.customer, new.segment, new.notes);
END;
CREATE TRIGGER sources_fts_delete AFTER DELETE ON research_sources BEGIN
    INSERT INTO sources_fts(sources_fts, rowid, title, customer, segment, notes) VALUES ('delete', old.id, old.title, old.customer, old.segment, old.notes);
END;
CREATE TRIGGER sources_fts_update AFTER UPDATE OF title, customer, segment, notes ON research_sources BEGIN
    INSERT INTO sources_fts(sources_fts, rowid, title, customer, segment, notes) VALUES ('delete', old.id, old.title, old.customer, old.segment, old.notes);
    INSERT INTO sources_fts(rowid, title, customer, segment, notes) VALUES (new.id, new.title, new.customer, new.segment, new.notes);
END;

-- Roadmap (S7): read-only share links. Only the token's hash is stored; revoked links stay
-- for the record.
CREATE TABLE roadmap_shares (
    id         INTEGER PRIMARY KEY,
    product_id INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    label      TEXT NOT NULL DEFAULT '',
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX roadmap_shares_product ON roadmap_shares(product_id);

-- Decisions (S8): the question, the options considered, what was decided and why, by whom and
-- when, with the insights and initiatives behind it.
CREATE TABLE decisions (
    id          INTEGER PRIMARY KEY,
    product_id  INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    question    TEXT NOT NULL,
    -- JSON array of strings.
    options     TEXT NOT NULL DEFAULT '[]',
    decision    TEXT NOT NULL,
    rationale   TEXT NOT NULL DEFAULT '',
    decided_by  TEXT NOT NULL,
    decided_on  TEXT NOT NULL CHECK (length(decided_on) = 10),
    version     BIGINT NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX decisions_product ON decisions(product_id, decided_on);

CREATE TABLE decision_evidence (
    decision_id INTEGER NOT NULL REFERENCES decisions(id) ON DELETE CASCADE,
    insight_id  INTEGER NOT NULL REFERENCES insights(id) ON DELETE CASCADE,
    PRIMARY KEY (decision_id, insight_id)
);

CREATE TABLE decision_initiatives (
    decision_id   INTEGER NOT NULL REFERENCES decisions(id) ON DELETE CASCADE,
    initiative_id INTEGER NOT NULL REFERENCES initiatives(id) ON DELETE CASCADE,
    PRIMARY KEY (decision_id, initiative_id)
);

-- Competitive analysis (S3): competitors, capabilities, and who has each (our own product's
-- rating lives on the capability). A missing rating means unknown.
CREATE TABLE competitors (
    id              INTEGER PRIMARY KEY,
    product_id      INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    positioning     TEXT NOT NULL DEFAULT '',
    strengths       TEXT NOT NULL DEFAULT '',
    weaknesses      TEXT NOT NULL DEFAULT '',
    our_positioning TEXT NOT NULL DEFAULT '',
    version         BIGINT NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    UNIQUE (product_id, name)
);

CREATE TABLE capabilities (
    id         INTEGER PRIMARY KEY,
    product_id INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    ours       TEXT NOT NULL DEFAULT 'unknown' CHECK (ours IN ('has', 'partial', 'no', 'unknown')),
    UNIQUE (product_id, name)
);

CREATE TABLE capability_ratings (
    capability_id INTEGER NOT NULL REFERENCES capabilities(id) ON DELETE CASCADE,
    competitor_id INTEGER NOT NULL REFERENCES competitors(id) ON DELETE CASCADE,
    rating        TEXT NOT NULL CHECK (rating IN ('has', 'partial', 'no', 'unknown')),
    PRIMARY KEY (capability_id, competitor_id)
);
CREATE INDEX capability_ratings_competitor ON capability_ratings(competitor_id);

-- Stakeholder alignment (S9): stakeholders by group, sign-off requests on a frozen roadmap
-- snapshot or a decision, and each stakeholder's answer.
CREATE TABLE stakeholders (
    product_id INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    grp        TEXT NOT NULL CHECK (grp IN ('exec', 'sales', 'marketing', 'legal', 'support', 'engineering')),
    PRIMARY KEY (product_id, user_id)
);

CREATE TABLE signoff_requests (
    id           INTEGER PRIMARY KEY,
    product_id   INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    subject      TEXT NOT NULL CHECK (subject IN ('roadmap', 'decision')),
    decision_id  INTEGER REFERENCES decisions(id) ON DELETE SET NULL,
    title        TEXT NOT NULL,
    -- The roadmap or decision as it was when sign-off was asked (JSON).
    snapshot     TEXT NOT NULL,
    requested_by INTEGER NOT NULL REFERENCES users(id),
    created_at   TEXT NOT NULL
);
CREATE INDEX signoff_requests_product ON signoff_requests(product_id, id);

CREATE TABLE signoff_answers (
    request_id  INTEGER NOT NULL REFERENCES signoff_requests(id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    answer      TEXT NOT NULL CHECK (answer IN ('approve', 'request_changes')),
    comment     TEXT NOT NULL DEFAULT '',
    answered_at TEXT NOT NULL,
    PRIMARY KEY (request_id, user_id)
);

-- Go-to-market (S10): releases (separate from sprints) with the items and initiatives they
-- ship, and launches with a checklist by function.
CREATE TABLE releases (
    id          INTEGER PRIMARY KEY,
    product_id  INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    target_date TEXT NOT NULL CHECK (length(target_date) = 10),
    status      TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'released')),
    version     BIGINT NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (product_id, name)
);

CREATE TABLE release_items (
    release_id INTEGER NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
    item_id    INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    PRIMARY KEY (release_id, item_id)
);
CREATE INDEX release_items_item ON release_items(item_id);

CREATE TABLE release_initiatives (
    release_id    INTEGER NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
    initiative_id INTEGER NOT NULL REFERENCES initiatives(id) ON DELETE CASCADE,
    PRIMARY KEY (release_id, initiative_id)
);

CREATE TABLE launches (
    id          INTEGER PRIMARY KEY,
    release_id  INTEGER NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    target_date TEXT NOT NULL CHECK (length(target_date) = 10),
    created_at  TEXT NOT NULL
);
CREATE INDEX launches_release ON launches(release_id);

CREATE TABLE launch_tasks (
    id        INTEGER PRIMARY KEY,
    launch_id INTEGER NOT NULL REFERENCES launches(id) ON DELETE CASCADE,
    function  TEXT NOT NULL CHECK (function IN ('marketing', 'sales_enablement', 'docs', 'support', 'legal')),
    title     TEXT NOT NULL,
    owner     TEXT NOT NULL DEFAULT '',
    due_on    TEXT NOT NULL CHECK (length(due_on) = 10),
    done      BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX launch_tasks_launch ON launch_tasks(launch_id);
