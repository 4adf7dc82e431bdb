//! Initiatives another tool's export brings (its epics), found again by that tool's key so a
//! repeat import updates them and never makes a second one. Written in the import's
//! transaction through the initiatives' own insert, update and link.

use super::initiatives::{insert_tx, link_tx, merge, update_on};
use super::model::{Initiative, InitiativeInput};
use crate::audit::Load;
use crate::db::Tx;
use crate::error::Result;
use crate::with_tx;
use crate::workspace::ProductCtx;

/// An epic as an import gives it: its key in the other tool, title, description and status.
pub struct Epic<'a> {
    pub key: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    /// One of the initiative statuses (idea, discovery, planned, in_progress, shipped, dropped).
    pub status: &'a str,
}

/// What became of an epic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Landed {
    Created,
    Updated,
    Unchanged,
}

/// Creates the epic's initiative, or updates the one an earlier import made when the title,
/// description or status changed; returns its id.
pub async fn land(tx: &mut Tx, ctx: &ProductCtx, epic: &Epic<'_>) -> Result<(i64, Landed)> {
    let found: Option<i64> = with_tx!(tx, t => sqlx::query_scalar(
        "SELECT id FROM initiatives WHERE product_id = $1 AND external_key = $2")
        .bind(ctx.product.id).bind(epic.key).fetch_optional(&mut **t).await)?;
    let input = InitiativeInput {
        title: Some(epic.title.to_string()),
        description: Some(epic.description.to_string()),
        status: Some(epic.status.to_string()),
        ..InitiativeInput::default()
    };
    let Some(id) = found else {
        let f = merge(None, &input)?;
        let id = insert_tx(tx, ctx.product.id, &f, Some(epic.key)).await?;
        return Ok((id, Landed::Created));
    };
    let key = (ctx.product.id, ctx.product.key.clone(), id);
    let old = Initiative::load(&mut tx.conn(), key).await?;
    let f = merge(Some(&old), &input)?;
    if (&f.title, &f.description, &f.status) == (&old.title, &old.description, &old.status) {
        return Ok((id, Landed::Unchanged));
    }
    update_on(&mut tx.conn(), ctx.product.id, id, old.version, &f).await?;
    Ok((id, Landed::Updated))
}

/// Puts an item under the initiative unless it is there already; true when it moved. `fresh`:
/// the item was created in this transaction, and keeps its first version.
pub async fn link(
    tx: &mut Tx,
    ctx: &ProductCtx,
    item_id: i64,
    initiative: i64,
    fresh: bool,
) -> Result<bool> {
    let current: Option<i64> = with_tx!(tx, t => sqlx::query_scalar(
        "SELECT initiative_id FROM items WHERE id = $1 AND product_id = $2")
        .bind(item_id).bind(ctx.product.id).fetch_one(&mut **t).await)?;
    if current == Some(initiative) {
        return Ok(false);
    }
    link_tx(tx, ctx, item_id, Some(initiative), !fresh).await?;
    Ok(true)
}
