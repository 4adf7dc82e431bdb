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
