//! SQL of the admin area: every workspace of the instance at a glance, and the API tokens
//! the members of a workspace hold.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;

use crate::audit::Change;
use crate::auth::store::User;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::workspace::Workspace;
use crate::{exec, on};

/// A workspace as the instance's admins see it: its size, not its content.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct WorkspaceSummary {
    pub slug: String,
    pub name: String,
    pub members: i64,
    pub products: i64,
    pub items: i64,
    pub created_at: DateTime<Utc>,
}

pub async fn workspaces(db: &Db) -> Result<Vec<WorkspaceSummary>> {
    Ok(on!(&mut db.reader().await?.conn(), c => sqlx::query_as(
        "SELECT w.slug, w.name,
                (SELECT COUNT(*) FROM workspace_members m WHERE m.workspace_id = w.id) AS members,
                (SELECT COUNT(*) FROM products p WHERE p.workspace_id = w.id) AS products,
                (SELECT COUNT(*) FROM items i JOIN products p ON p.id = i.product_id
                  WHERE p.workspace_id = w.id) AS items,
                w.created_at
         FROM workspaces w ORDER BY w.name, w.id")
        .fetch_all(&mut **c).await)?)
}

/// An API token a member of the workspace holds (it acts in all their workspaces).
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct MemberToken {
    pub id: i64,
    pub name: String,
    pub owner_name: String,
    pub owner_email: String,
    pub created_at: DateTime<Utc>,
    /// It may only read (refused every change).
    pub read_only: bool,
}

pub async fn tokens(db: &Db, workspace_id: i64) -> Result<Vec<MemberToken>> {
    Ok(on!(&mut db.reader().await?.conn(), c => sqlx::query_as(
        "SELECT t.id, t.name, u.name AS owner_name, u.email AS owner_email, t.created_at, t.read_only
         FROM api_tokens t JOIN users u ON u.id = t.user_id
         JOIN workspace_members m ON m.user_id = t.user_id AND m.workspace_id = $1
         ORDER BY u.name, t.id")
        .bind(workspace_id).fetch_all(&mut **c).await)?)
}

/// Revokes a member's token (a leaked one, say); it stops working in every workspace.
pub async fn revoke_token(db: &Db, actor: &User, ws: &Workspace, id: i64) -> Result<()> {
    let mut tx = db.begin().await?;
    let token: Option<(String, String)> = on!(&mut tx.conn(), t => sqlx::query_as(
        "SELECT t.name, u.email FROM api_tokens t JOIN users u ON u.id = t.user_id
         JOIN workspace_members m ON m.user_id = t.user_id AND m.workspace_id = $2
         WHERE t.id = $1")
        .bind(id).bind(ws.id).fetch_optional(&mut **t).await)?;
    let Some((name, owner)) = token else {
        return Err(Error::NotFound);
    };
    exec!(&mut tx.conn(), t => sqlx::query("DELETE FROM api_tokens WHERE id = $1").bind(id))?;
    Change::by(actor, ws, "token.revoke", ("api_token", id))
        .before(&json!({ "name": name, "owner": owner }))
        .record(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(())
}
