//! The append-only audit log (G6): who did what to which entity, before and after, and why.

pub mod api;
pub mod store;

use chrono::{DateTime, Utc};
use serde::Serialize;

/// One change about to be recorded, written in the same transaction as the change itself.
pub struct Change<'a> {
    pub workspace_id: i64,
    pub actor_id: Option<i64>,
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: i64,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub reason: Option<&'a str>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
#[schema(as = AuditEntry)]
pub struct Entry {
    pub id: i64,
    pub actor: Option<String>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: i64,
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
    pub reason: Option<String>,
    pub at: DateTime<Utc>,
}
