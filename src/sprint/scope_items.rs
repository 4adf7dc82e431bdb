//! The items in a sprint's scope as read: what the board, the planning page, the review and the
//! scope changes all start from. Below both `service` and `scope`, so neither needs the other
//! to know what a sprint holds.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::db::batch::Read;
use crate::db::Conn;
use crate::error::Result;
use crate::ids::SprintId;
use crate::points::Points;

/// An item in a sprint's current scope.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ScopeItem {
    #[serde(skip)]
    pub item_id: crate::ids::ItemId,
    #[serde(skip)]
    pub number: i64,
    pub key: String,
    pub title: String,
    pub kind: String,
    pub status: String,
    /// Points when committed; the sprint's figures use these.
    pub points: Points,
    pub ready: bool,
    #[serde(skip)]
    pub readiness: String,
    pub for_goal: bool,
    /// Why a not-ready item was committed anyway.
    pub exception: Option<String>,
    /// Committed before the start.
    pub in_baseline: bool,
    /// accepted or not_accepted, once the sprint is closed.
    pub outcome: Option<String>,
    /// Where the item goes at close if it is not accepted: top (of the backlog) or next (sprint).
    pub carry: String,
    /// Why the PO accepted it while it was neither In review nor Done.
    pub accept_reason: Option<String>,
    #[serde(skip)]
    pub added_at: DateTime<Utc>,
}

impl ScopeItem {
    pub fn unready_reasons(&self) -> Vec<String> {
        readiness_messages(&self.readiness)
    }
}

pub fn readiness_messages(json: &str) -> Vec<String> {
    serde_json::from_str::<serde_json::Value>(json)
        .ok()
        .and_then(|v| v.get("reasons").cloned())
        .and_then(|r| r.as_array().cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|r| {
            r.get("message")
                .and_then(|m| m.as_str())
                .map(str::to_string)
        })
        .collect()
}

const SCOPE_SQL: &str = "SELECT i.id AS item_id, i.number, '' AS key, i.title, i.kind, i.status, si.points,
        i.ready, i.readiness, si.for_goal, si.exception, si.in_baseline, si.outcome, si.carry, si.accept_reason, si.added_at
    FROM sprint_items si JOIN items i ON i.id = si.item_id
    WHERE si.sprint_id = $1 AND si.removed_at IS NULL ORDER BY i.rank";

fn keyed(mut v: Vec<ScopeItem>, product_key: &str) -> Vec<ScopeItem> {
    for s in &mut v {
        s.key = format!("{product_key}-{}", s.number);
    }
    v
}

/// The items in the sprint's scope now (committed or added, not removed), in backlog order.
pub async fn current(
    c: &mut Conn<'_>,
    sprint_id: SprintId,
    product_key: &str,
) -> Result<Vec<ScopeItem>> {
    Ok(current_read(sprint_id, product_key).run(c).await?)
}

/// [`current`] as a read that may share a round trip with others.
pub fn current_read(sprint_id: SprintId, product_key: &str) -> Read<Vec<ScopeItem>> {
    let product_key = product_key.to_string();
    Read::query(SCOPE_SQL, vec![i64::from(sprint_id).into()], move |rows| {
        Ok(keyed(rows.all()?, &product_key))
    })
}
