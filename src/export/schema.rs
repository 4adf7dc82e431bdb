//! The JSON Schema of the export document, built from the table map so it never drifts from
//! what is written; served at `/api/export.schema.json` beside the OpenAPI document.

use serde_json::{json, Map, Value};

use super::tables::TABLES;
use super::{Kind, FORMAT, VERSION};

/// Where the schema is served.
pub const PATH: &str = "/api/export.schema.json";

fn column_type(kind: Kind, nullable: bool) -> Value {
    let mut t = match kind {
        Kind::Int | Kind::User => json!({"type": "integer"}),
        Kind::Text => json!({"type": "string"}),
        Kind::Bool => json!({"type": "boolean"}),
        Kind::Real => json!({"type": "number"}),
        Kind::Points => json!({
            "type": "number",
            "minimum": 0,
            "description": "story points, exact to two decimals: 3, 0.5, 18.25"
        }),
        Kind::Time => json!({
            "type": "string",
            "format": "date-time",
            "pattern": "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{6}Z$"
        }),
    };
    if nullable {
        let base = t["type"].clone();
        t["type"] = json!([base, "null"]);
    }
    t
}

/// The schema for documents of this version at the current database schema.
pub fn document(schema_version: i64) -> Value {
    let mut tables = Map::new();
    for t in TABLES.iter() {
        let mut props = Map::new();
        for c in &t.columns {
            props.insert(c.name.to_string(), column_type(c.kind, c.nullable));
        }
        let required: Vec<&str> = t.columns.iter().map(|c| c.name).collect();
        tables.insert(
            t.name.to_string(),
            json!({
                "type": "array",
                "description": format!("rows ordered by {}", t.key.join(", ")),
                "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": required,
                    "properties": props,
                }
            }),
        );
    }
    let names: Vec<&str> = TABLES.iter().map(|t| t.name).collect();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": PATH,
        "title": "Throughline workspace export",
        "description": "A whole workspace: every table's rows, keys sorted, times in UTC with microseconds. Restore with `throughline restore FILE` into an empty database.",
        "type": "object",
        "additionalProperties": false,
        "required": ["format", "version", "schema", "workspace", "tables"],
        "properties": {
            "format": {"const": FORMAT},
            "version": {"const": VERSION},
            "schema": {"type": "integer", "description": "the database migration the export was written at", "const": schema_version},
            "workspace": {"type": "string", "description": "the workspace's address"},
            "tables": {
                "type": "object",
                "additionalProperties": false,
                "required": names,
                "properties": tables,
            }
        }
    })
}
