-- Flow without sprints (E11, issue 14). A product runs in sprints (Scrum) or in flow (a
-- continuous board of its open work). A flow board has WIP limits per column, which warn when a
-- column goes over them or block the move (a Product Owner may still override with a reason,
-- which the audit log keeps). The flow settings have their own version, like the other settings
-- groups, so saving them never makes another group's ETag stale.
ALTER TABLE products ADD COLUMN cadence TEXT NOT NULL DEFAULT 'sprints' CHECK (cadence IN ('sprints', 'flow'));
ALTER TABLE products ADD COLUMN wip_mode TEXT NOT NULL DEFAULT 'warn' CHECK (wip_mode IN ('warn', 'block'));
ALTER TABLE products ADD COLUMN flow_wip_in_progress BIGINT CHECK (flow_wip_in_progress BETWEEN 1 AND 999);
ALTER TABLE products ADD COLUMN flow_wip_in_review BIGINT CHECK (flow_wip_in_review BETWEEN 1 AND 999);
ALTER TABLE products ADD COLUMN flow_version BIGINT NOT NULL DEFAULT 1;
