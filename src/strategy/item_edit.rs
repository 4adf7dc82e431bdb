//! One save of the item page: the item's own fields, its initiative and its persona, written
//! in one transaction at the version the editor saw, so a save is whole or not at all and a
//! concurrent change in between is a conflict rather than half an edit.

use crate::auth::store::User;
use crate::auth::Action;
use crate::backlog::input::ItemPatch;
use crate::backlog::{service, store, Item};
use crate::db::Db;
use crate::error::Result;
use crate::workspace::ProductCtx;

/// What one save changes; `None` leaves a part as it is, `Some(None)` clears a link.
#[derive(Debug, Default)]
pub struct ItemEdit {
    pub patch: Option<ItemPatch>,
    pub initiative: Option<Option<i64>>,
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
    let row = store::row_by_key_tx(&mut tx, ctx.product.id, &ctx.product.key, key).await?;
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
        super::initiatives::link_in(&mut tx, actor, ctx, &row, initiative).await?;
    }
    if let Some(persona) = edit.persona {
        super::personas::persona_in(&mut tx, actor, ctx, row.id, persona).await?;
    }
    tx.commit().await?;
    service::get(db, ctx, key).await
}
