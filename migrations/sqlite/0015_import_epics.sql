-- Another tool's epics become initiatives (D2, S6); the other tool's key finds them again, so
-- a repeat import updates them and never makes a second one.
ALTER TABLE initiatives ADD COLUMN external_key TEXT;

-- The Import page's choice between epics as initiatives (the default) and as parent items,
-- kept with the upload between its preview and its confirmation.
ALTER TABLE import_uploads ADD COLUMN epics_as_items BOOLEAN NOT NULL DEFAULT FALSE;
