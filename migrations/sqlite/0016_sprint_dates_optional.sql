-- A sprint imported from a file that names it without dates (Jira CSV and XML) has none: its
-- dates are NULL rather than invented. SQLite cannot drop NOT NULL in place, so the table is
-- rebuilt (https://sqlite.org/lang_altertable.html#otheralter). Foreign keys are off for the
-- migrations (`Db::migrate`: dropping the old table must not cascade to sprint_items and the
-- rest); every reference is checked before this commits.
CREATE TABLE sprints_0016 (
    id               INTEGER PRIMARY KEY,
    product_id       INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    team_id          INTEGER NOT NULL REFERENCES teams(id),
    name             TEXT NOT NULL,
    goal             TEXT NOT NULL DEFAULT '',
    start_date       TEXT,
    end_date         TEXT,
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
    alignment_frozen TEXT,
    CHECK (end_date >= start_date)
);
INSERT INTO sprints_0016 (id, product_id, team_id, name, goal, start_date, end_date, state,
    started_at, closed_at, goal_met, baseline_points, added_points, removed_points,
    completed_points, say_do_points, available_days, version, created_at, alignment_frozen)
SELECT id, product_id, team_id, name, goal, start_date, end_date, state, started_at, closed_at,
    goal_met, baseline_points, added_points, removed_points, completed_points, say_do_points,
    available_days, version, created_at, alignment_frozen
FROM sprints;
DROP TABLE sprints;
ALTER TABLE sprints_0016 RENAME TO sprints;
CREATE INDEX sprints_product ON sprints(product_id, start_date);
CREATE INDEX sprints_team ON sprints(team_id, start_date);
CREATE INDEX sprints_product_name ON sprints(product_id, name);
-- Every row that pointed at a sprint still does (PRAGMA foreign_key_check), else no commit.
CREATE TEMP TABLE fk_check_0016 (violations BIGINT NOT NULL CHECK (violations = 0));
INSERT INTO fk_check_0016 SELECT COUNT(*) FROM pragma_foreign_key_check;
DROP TABLE fk_check_0016;
