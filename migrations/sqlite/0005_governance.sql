-- Governance (G2, G4): the tier policy and unaligned allowance per product, and exemptions
-- that let an item sit above a higher tier in strict mode.

ALTER TABLE products ADD COLUMN tier_policy TEXT NOT NULL DEFAULT 'advisory' CHECK (tier_policy IN ('advisory', 'strict'));
ALTER TABLE products ADD COLUMN unaligned_allowance_pct BIGINT NOT NULL DEFAULT 20 CHECK (unaligned_allowance_pct BETWEEN 0 AND 90);
-- The team-shape advisor's thresholds (G5), JSON; missing keys take their defaults.
ALTER TABLE products ADD COLUMN advisor_thresholds TEXT NOT NULL DEFAULT '{}';

CREATE TABLE tier_exemptions (
    id            INTEGER PRIMARY KEY,
    product_id    INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    item_id       INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    reason        TEXT NOT NULL,
    created_by    INTEGER NOT NULL REFERENCES users(id),
    created_at    TEXT NOT NULL,
    revoked_at    TEXT,
    revoked_by    INTEGER REFERENCES users(id),
    revoke_reason TEXT
);
CREATE UNIQUE INDEX tier_exemptions_live ON tier_exemptions(item_id) WHERE revoked_at IS NULL;
CREATE INDEX tier_exemptions_product ON tier_exemptions(product_id, id);

-- PM overrides (G3): a change to a running sprint or to tier order made by the PM, only
-- with a strategic reason; counted per quarter.
CREATE TABLE overrides (
    id          INTEGER PRIMARY KEY,
    product_id  INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('scope', 'tier')),
    subject     TEXT NOT NULL,
    before_json TEXT,
    after_json  TEXT,
    reason      TEXT NOT NULL,
    created_by  INTEGER NOT NULL REFERENCES users(id),
    created_at  TEXT NOT NULL
);
CREATE INDEX overrides_product ON overrides(product_id, created_at);
