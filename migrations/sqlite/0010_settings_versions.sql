-- Each group of a product's settings has its own version, so that saving one (the vision, the
-- Definition of Ready, the tier policy, the advisor's thresholds) never makes another's ETag
-- stale. They start where the shared version stood, so ETags read before still match.
ALTER TABLE products ADD COLUMN vision_version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE products ADD COLUMN rules_version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE products ADD COLUMN tiers_version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE products ADD COLUMN advisor_version BIGINT NOT NULL DEFAULT 1;
UPDATE products SET vision_version = version, rules_version = version, tiers_version = version,
    advisor_version = version;
