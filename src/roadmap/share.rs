//! Read-only share links for a product's roadmap: an unguessable token (only its hash is
//! stored), revocable by the PM, opened without an account.

use serde::Serialize;
use serde_json::json;

use crate::audit::Change;
use crate::auth::store::User;
use crate::auth::{hash_secret, random_secret, Action};
use crate::db::{now, Db};
use crate::error::{Error, Result};
use crate::workspace::ProductCtx;
use crate::{exec, on};

#[derive(Clone, Debug, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct Share {
    pub id: i64,
    pub label: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// A new link; the token is shown this once.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct NewShare {
    #[serde(flatten)]
    pub share: Share,
    pub token: String,
    /// Path of the read-only page, e.g. `/share/roadmap/rm_…`.
    pub path: String,
}

pub async fn create(db: &Db, actor: &User, ctx: &ProductCtx, label: &str) -> Result<NewShare> {
    ctx.grants.require(Action::ShareRoadmap)?;
    let label = crate::backlog::validate_text("label", label, 200)?;
    let token = random_secret("rm_");
    let mut tx = db.begin().await?;
    let at = now();
    let id: i64 = on!(&mut tx.conn(), t => sqlx::query_scalar(
        "INSERT INTO roadmap_shares (product_id, token_hash, label, created_by, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
        .bind(ctx.product.id).bind(hash_secret(&token)).bind(&label).bind(actor.id).bind(at).fetch_one(&mut **t).await)?;
    Change::by(actor, ctx, "roadmap.share", ("roadmap_share", id))
        .after(&json!({"label": label}))
        .record(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(NewShare {
        share: Share {
            id,
            label,
            created_at: at,
            revoked_at: None,
        },
        path: format!("/share/roadmap/{token}"),
        token,
    })
}

pub async fn list(db: &Db, ctx: &ProductCtx) -> Result<Vec<Share>> {
    ctx.grants.require(Action::ShareRoadmap)?;
    Ok(on!(&mut db.reader().await?.conn(), c => sqlx::query_as(
        "SELECT id, label, created_at, revoked_at FROM roadmap_shares WHERE product_id = $1 ORDER BY id DESC")
        .bind(ctx.product.id).fetch_all(&mut **c).await)?)
}

pub async fn revoke(db: &Db, actor: &User, ctx: &ProductCtx, id: i64) -> Result<()> {
    ctx.grants.require(Action::ShareRoadmap)?;
    let mut tx = db.begin().await?;
    let done = exec!(&mut tx.conn(), t => sqlx::query(
        "UPDATE roadmap_shares SET revoked_at = $1 WHERE id = $2 AND product_id = $3 AND revoked_at IS NULL")
        .bind(now()).bind(id).bind(ctx.product.id))?;
    if done != 1 {
        return Err(Error::NotFound);
    }
    Change::by(actor, ctx, "roadmap.revoke", ("roadmap_share", id))
        .record(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// What a live token opens: (workspace id, product key, product name); revoked or unknown is none.
pub async fn resolve(db: &Db, token: &str) -> Result<Option<(i64, String, String)>> {
    if !token.starts_with("rm_") || token.len() > 100 {
        return Ok(None);
    }
    Ok(on!(&mut db.reader().await?.conn(), c => sqlx::query_as(
        "SELECT p.workspace_id, p.key, p.name FROM roadmap_shares s JOIN products p ON p.id = s.product_id
         WHERE s.token_hash = $1 AND s.revoked_at IS NULL")
        .bind(hash_secret(token)).fetch_optional(&mut **c).await)?)
}
