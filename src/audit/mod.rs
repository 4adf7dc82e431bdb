//! The append-only audit log (G6): who did what to which entity, before and after, and why.

pub mod export;
pub mod filter;
mod guarded;
pub mod store;

use chrono::{DateTime, Utc};
use serde::Serialize;

pub use guarded::{stale, stale_named, Guarded, Load, Versioned};

/// What an audited change happens in: its workspace (a product context, a workspace).
pub trait Scope {
    fn workspace_id(&self) -> i64;
}

/// One change about to be recorded, written in the same transaction as the change itself.
pub struct Change<'a> {
    /// None for a change to the instance itself (its settings, its admins).
    pub workspace_id: Option<i64>,
    pub actor_id: Option<i64>,
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: i64,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub reason: Option<&'a str>,
}

impl<'a> Change<'a> {
    /// A change by `actor` in `scope` to the entity `(type, id)`, with no before, after or reason.
    pub fn by(
        actor: &crate::auth::store::User,
        scope: &impl Scope,
        action: &'a str,
        (entity_type, entity_id): (&'a str, impl Into<i64>),
    ) -> Change<'a> {
        Change {
            workspace_id: Some(scope.workspace_id()),
            actor_id: Some(actor.id),
            action,
            entity_type,
            entity_id: entity_id.into(),
            before: None,
            after: None,
            reason: None,
        }
    }

    /// A change to the instance itself, by `actor` (None at the server's terminal).
    pub fn instance(
        actor_id: Option<i64>,
        action: &'a str,
        (entity_type, entity_id): (&'a str, i64),
    ) -> Change<'a> {
        Change {
            workspace_id: None,
            actor_id,
            action,
            entity_type,
            entity_id,
            before: None,
            after: None,
            reason: None,
        }
    }

    pub fn before(mut self, v: &impl Serialize) -> Self {
        self.before = Some(serde_json::json!(v));
        self
    }

    pub fn after(mut self, v: &impl Serialize) -> Self {
        self.after = Some(serde_json::json!(v));
        self
    }

    pub fn reason(mut self, reason: Option<&'a str>) -> Self {
        self.reason = reason;
        self
    }

    /// Writes the audit row in `tx`, the transaction of the change itself.
    pub async fn record(self, tx: &mut crate::db::Tx) -> Result<(), sqlx::Error> {
        store::record(tx, self).await
    }
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
#[schema(as = AuditEntry)]
pub struct Entry {
    pub id: i64,
    pub actor: Option<String>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: i64,
    /// What the change replaced, as JSON: an object for a record's fields, a list for an
    /// order (ranked priorities, say); null for a creation.
    #[schema(value_type = Option<Value>)]
    pub before: Option<serde_json::Value>,
    /// What the change left, in the same shape; null for a deletion.
    #[schema(value_type = Option<Value>)]
    pub after: Option<serde_json::Value>,
    pub reason: Option<String>,
    pub at: DateTime<Utc>,
}
