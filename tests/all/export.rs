//! Export and restore (D3): byte-identical round trips on both databases and across them,
//! refusals that change nothing, the table map against the schema, the API, the Export page,
//! the Jira CSV read back by our importer, and `backup --verify`.

mod jira_and_backup;
mod refusals;
mod round_trip;
mod schema_map;
mod web;
