//! One save of the item page: the item's own fields, its initiative and its persona, written
//! in one transaction at the version the editor saw, so a save is whole or not at all and a
//! concurrent change in between is a conflict rather than half an edit.

use serde_json::json;

use crate::audit::Change;
use crate::auth::store::User;
use crate::auth::Action;
use crate::backlog::input::ItemPatch;
use crate::backlog::{service, store, Item};
use crate::db::batch::{Arg, Read};
use crate::db::{now, Db, Tx};
use crate::error::{Error, Result};
use crate::ids::{InitiativeId, ItemId};
use crate::workspace::ProductCtx;
use crate::{exec, on};

/// What one save changes; `None` leaves a part as it is, `Some(None)` clears a link.
#[derive(Debug, Default)]
pub struct ItemEdit {
    pub patch: Option<ItemPatch>,
    pub initiative: Option<Option<InitiativeId>>,
    pub persona: Option<Option<i64>>,
}

impl ItemEdit {
    pub fn is_empty(&self) -> bool {
        self.patch.is_none() && self.initiative.is_none() && self.persona.is_none()
    }
}

/// Applies `edit` to the item at `expected_version`, or at whatever version it has when the
/// caller names none (the link and persona endpoints): 412 ([`service::stale`]) when the item
/// has moved on, and nothing written when any part is refused. Returns the item as saved.
pub async fn edit_item(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    key: &str,
    expected_version: Option<i64>,
    edit: ItemEdit,
) -> Result<Item> {
    if edit.initiative.is_some() {
        ctx.grants.require(Action::LinkInitiative)?;
    }
    if edit.persona.is_some() {
        ctx.grants.require(Action::EditItem)?;
    }
    let mut tx = db.begin().await?;
    let row = store::row_in_product(&mut tx.conn(), ctx.product.id, &ctx.product.key, key).await?;
    if expected_version.is_some_and(|v| v != row.version) {
        drop(tx);
        return Err(service::stale(db, ctx, key).await);
    }
    if let Some(patch) = edit.patch {
        if service::update_in(&mut tx, actor, ctx, key, row.version, patch)
            .await?
            .is_none()
        {
            drop(tx);
            return Err(service::stale(db, ctx, key).await);
        }
    }
    if let Some(initiative) = edit.initiative {
        link_in(&mut tx, actor, ctx, &row, initiative).await?;
    }
    if let Some(persona) = edit.persona {
        persona_in(&mut tx, actor, ctx, row.id, persona).await?;
    }
    tx.commit().await?;
    service::get(db, ctx, key).await
}

/// Puts the item `row` (as read in this transaction) under an initiative or takes it out:
/// the initiative must be this product's; the link bumps the item's version and leaves an
/// audit row.
async fn link_in(
    tx: &mut Tx,
    actor: &User,
    ctx: &ProductCtx,
    row: &crate::backlog::store::ItemRow,
    initiative: Option<InitiativeId>,
) -> Result<()> {
    if let Some(n) = initiative {
        let found: Option<i64> = on!(&mut tx.conn(), t => sqlx::query_scalar(
            "SELECT id FROM initiatives WHERE id = $1 AND product_id = $2")
            .bind(n).bind(ctx.product.id).fetch_optional(&mut **t).await)?;
        found.ok_or_else(|| {
            Error::invalid("initiative", format!("no initiative {n} in this product"))
        })?;
    }
    set_initiative_in(tx, ctx, row.id, initiative, true).await?;
    Change::by(actor, ctx, "item.initiative", ("item", row.id))
        .before(&json!({"initiative": row.initiative_id}))
        .after(&json!({"initiative": initiative}))
        .record(tx)
        .await?;
    Ok(())
}

/// Puts an item under an initiative (or takes it out) in the caller's transaction and
/// re-assesses its readiness (for [`link_in`] and for imports). `bump` is false only for an
/// item created in the same transaction: the link is part of its creation, so it keeps the
/// version it was created with (an import's undo counts on it).
pub(super) async fn set_initiative_in(
    tx: &mut Tx,
    ctx: &ProductCtx,
    item_id: ItemId,
    initiative: Option<InitiativeId>,
    bump: bool,
) -> Result<()> {
    set_initiatives_in(tx, ctx, &[(item_id, initiative, bump)]).await
}

/// [`set_initiative_in`] for many items, as (item, initiative, bump): an import links
/// thousands. Two round trips per [`LINKS_PER_TRIP`] items (the links sent with the reads
/// of the readiness they change, then the readiness).
pub(super) async fn set_initiatives_in(
    tx: &mut Tx,
    ctx: &ProductCtx,
    links: &[(ItemId, Option<InitiativeId>, bool)],
) -> Result<()> {
    let rules = service::rules_of(ctx);
    let at = now();
    for chunk in links.chunks(LINKS_PER_TRIP) {
        let sql = format!(
            "UPDATE items SET initiative_id = v.column2, version = version + v.column3, updated_at = $1
             FROM (VALUES {}) AS v WHERE items.id = v.column1",
            crate::db::row_marks_after(1, chunk.len(), 3)
        );
        let mut args: Vec<Arg> = vec![at.into()];
        for &(item, initiative, bump) in chunk {
            args.push(i64::from(item).into());
            args.push(initiative.map(i64::from).into());
            args.push(i64::from(bump).into());
        }
        let ids: Vec<ItemId> = chunk.iter().map(|l| l.0).collect();
        service::refresh_readiness_of(tx, &rules, &ids, Read::exec(sql, args)).await?;
    }
    Ok(())
}

/// Items linked per round trip by [`set_initiatives_in`]: 3 bound parameters each.
const LINKS_PER_TRIP: usize = 1_000;

/// Sets the item's persona in the caller's transaction: the persona must be this
/// product's; the "before" is read in the transaction, so the audit row tells what this write
/// replaced.
async fn persona_in(
    tx: &mut Tx,
    actor: &User,
    ctx: &ProductCtx,
    item_id: ItemId,
    persona: Option<i64>,
) -> Result<()> {
    if let Some(p) = persona {
        let found: Option<i64> = on!(&mut tx.conn(), t => sqlx::query_scalar("SELECT id FROM personas WHERE id = $1 AND product_id = $2")
            .bind(p).bind(ctx.product.id).fetch_optional(&mut **t).await)?;
        found
            .ok_or_else(|| Error::invalid("persona", format!("no persona {p} in this product")))?;
    }
    let before: Option<i64> = on!(&mut tx.conn(), t => sqlx::query_scalar("SELECT persona_id FROM items WHERE id = $1")
        .bind(item_id).fetch_one(&mut **t).await)?;
    exec!(&mut tx.conn(), t => sqlx::query("UPDATE items SET persona_id = $1, version = version + 1, updated_at = $2 WHERE id = $3")
        .bind(persona).bind(now()).bind(item_id))?;
    Change::by(actor, ctx, "item.persona", ("item", item_id))
        .before(&json!({"persona": before}))
        .after(&json!({"persona": persona}))
        .record(tx)
        .await?;
    Ok(())
}
