-- A token may be read-only (issue 13): it reads everything its owner may read and changes
-- nothing, on the REST API and over MCP alike. Existing tokens keep their owner's authority.
ALTER TABLE api_tokens ADD COLUMN read_only BOOLEAN NOT NULL DEFAULT FALSE;
