//! The Product Owner's kit exceptions: an item that is not ready goes into hand-off kits only
//! when the PO lets it in with a reason, listed in each kit's manifest.

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::audit::Change;
use crate::auth::store::User;
use crate::auth::Action;
use crate::db::{now, Db};
use crate::error::{Error, Result};
use crate::workspace::ProductCtx;
use crate::{exec, on};

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct KitException {
    pub item: String,
    pub title: String,
    pub reason: String,
    pub by: String,
    pub at: chrono::DateTime<chrono::Utc>,
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KitExceptionInput {
    /// The item's key, `ONB-42`.
    pub item: String,
    /// Why it goes to the builders although it is not ready.
    pub reason: String,
}

pub async fn list(db: &Db, ctx: &ProductCtx) -> Result<Vec<KitException>> {
    ctx.grants.require(Action::ViewDocuments)?;
    let rows: Vec<(i64, String, String, String, chrono::DateTime<chrono::Utc>)> = on!(&mut db.reader().await?.conn(), c => sqlx::query_as(
        "SELECT i.number, i.title, k.reason, u.name, k.created_at FROM kit_exceptions k
         JOIN items i ON i.id = k.item_id JOIN users u ON u.id = k.created_by
         WHERE i.product_id = $1 ORDER BY i.number")
        .bind(ctx.product.id).fetch_all(&mut **c).await)?;
    Ok(rows
        .into_iter()
        .map(|(n, title, reason, by, at)| KitException {
            item: format!("{}-{n}", ctx.product.key),
            title,
            reason,
            by,
            at,
        })
        .collect())
}

/// Lets the item into kits (or changes the reason it was let in with).
pub async fn include(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    input: &KitExceptionInput,
) -> Result<Vec<KitException>> {
    ctx.grants.require(Action::IncludeInKit)?;
    let reason = crate::backlog::validate_text("reason", &input.reason, 2_000)?;
    if reason.is_empty() {
        return Err(Error::invalid(
            "reason",
            "say why this item goes to the builders although it is not ready",
        ));
    }
    let item = crate::backlog::service::get(db, ctx, input.item.trim())
        .await
        .map_err(|e| match e {
            Error::NotFound => Error::invalid(
                "item",
                format!("no item {} in this product", input.item.trim()),
            ),
            e => e,
        })?;
    let mut tx = db.begin().await?;
    exec!(&mut tx.conn(), t => sqlx::query("DELETE FROM kit_exceptions WHERE item_id = $1")
        .bind(item.id))?;
    exec!(&mut tx.conn(), t => sqlx::query(
        "INSERT INTO kit_exceptions (item_id, reason, created_by, created_at) VALUES ($1, $2, $3, $4)")
        .bind(item.id).bind(&reason).bind(actor.id).bind(now()))?;
    Change::by(actor, ctx, "kit.include", ("item", item.id))
        .after(&json!({"item": item.key, "reason": reason}))
        .record(&mut tx)
        .await?;
    tx.commit().await?;
    list(db, ctx).await
}

/// Takes the exception back: the item goes into kits again only once it is ready.
pub async fn remove(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    key: &str,
) -> Result<Vec<KitException>> {
    ctx.grants.require(Action::IncludeInKit)?;
    let item = crate::backlog::service::get(db, ctx, key).await?;
    let mut tx = db.begin().await?;
    let n = exec!(&mut tx.conn(), t => sqlx::query("DELETE FROM kit_exceptions WHERE item_id = $1")
        .bind(item.id))?;
    if n == 0 {
        return Err(Error::NotFound);
    }
    Change::by(actor, ctx, "kit.exclude", ("item", item.id))
        .after(&json!({"item": item.key}))
        .record(&mut tx)
        .await?;
    tx.commit().await?;
    list(db, ctx).await
}
