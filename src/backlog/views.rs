//! Saved backlog views: a named query per user and product, which its owner may share with
//! everyone on the product.

use serde::{Deserialize, Serialize};

use crate::db::batch::Read;
use crate::db::{now, Db};
use crate::error::{Error, Result};
use crate::workspace::ProductCtx;
use crate::{exec, on};

#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct View {
    pub id: i64,
    pub name: String,
    pub query: String,
    /// Offered to everyone on the product.
    pub shared: bool,
    /// Who saved it.
    pub owner: String,
    /// The caller's own view (only its owner replaces or deletes it).
    pub mine: bool,
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewView {
    pub name: String,
    pub query: String,
    /// Share it with everyone on the product (default: only you see it).
    #[serde(default)]
    pub shared: bool,
}

pub async fn list(db: &Db, user_id: i64, ctx: &ProductCtx) -> Result<Vec<View>> {
    Ok(list_read(user_id, ctx).on(db).await?)
}

/// [`list`] as a read that may share a round trip with others.
pub fn list_read(user_id: i64, ctx: &ProductCtx) -> Read<Vec<View>> {
    Read::query(
        "SELECT v.id, v.name, v.query, v.shared, u.name AS owner, v.user_id = $1 AS mine
         FROM saved_views v JOIN users u ON u.id = v.user_id
         WHERE v.product_id = $2 AND (v.user_id = $1 OR v.shared) ORDER BY v.name, v.id",
        vec![user_id.into(), ctx.product.id.into()],
        |rows| rows.all(),
    )
}

/// Saves (or replaces, by name) a view; the query must parse and compile.
pub async fn save(db: &Db, user_id: i64, ctx: &ProductCtx, v: NewView) -> Result<View> {
    let name = crate::workspace::validate_name("name", &v.name)?;
    super::query::compile_query(&v.query, ctx).map_err(|e| match e {
        Error::Invalid { message, .. } => Error::invalid("query", message),
        other => other,
    })?;
    let id: i64 = on!(&mut db.writer().await?.conn(), c => sqlx::query_scalar(
        "INSERT INTO saved_views (user_id, product_id, name, query, created_at, shared) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (user_id, product_id, name) DO UPDATE SET query = excluded.query, shared = excluded.shared RETURNING id")
        .bind(user_id).bind(ctx.product.id).bind(&name).bind(v.query.trim()).bind(now()).bind(v.shared).fetch_one(&mut **c).await)?;
    let owner: String = on!(&mut db.reader().await?.conn(), c => sqlx::query_scalar("SELECT name FROM users WHERE id = $1")
        .bind(user_id).fetch_one(&mut **c).await)?;
    Ok(View {
        id,
        name,
        query: v.query.trim().to_string(),
        shared: v.shared,
        owner,
        mine: true,
    })
}

pub async fn delete(db: &Db, user_id: i64, ctx: &ProductCtx, id: i64) -> Result<()> {
    let r = exec!(&mut db.writer().await?.conn(), c => sqlx::query("DELETE FROM saved_views WHERE id = $1 AND user_id = $2 AND product_id = $3")
        .bind(id).bind(user_id).bind(ctx.product.id))?;
    if r == 0 {
        return Err(Error::NotFound);
    }
    Ok(())
}
