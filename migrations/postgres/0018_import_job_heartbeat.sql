-- Several server processes may share one PostgreSQL database (PRODUCT.md, scale out): a running
-- import job writes how far it is and when it last said so, so that any process shows its
-- progress, and one that stopped saying so (its process died) is known to have rolled back.
ALTER TABLE import_jobs ADD COLUMN items_done BIGINT NOT NULL DEFAULT 0;
ALTER TABLE import_jobs ADD COLUMN heartbeat_at TIMESTAMPTZ;
