//! Reordering the backlog under the tier policy (G2, G3): the one committing entry point the API,
//! the pages and the CLI call. The backlog places and writes the move; governance decides whether
//! it may happen (strict tiers, exemptions) and records a PM's strategic override.

use serde_json::json;

use super::{overrides, tiers};
use crate::auth::store::User;
use crate::auth::Action;
use crate::backlog::service::{self as backlog, Placement};
use crate::backlog::store::begin_locked;
use crate::backlog::Anchor;
use crate::db::Db;
use crate::error::Result;
use crate::workspace::ProductCtx;

/// A move as asked: which items, where, and the reasons that may let it break the tier order.
pub struct MoveRequest<'a> {
    pub keys: &'a [String],
    pub anchor: Anchor,
    /// In strict mode, the reason recorded for moved items that would otherwise invert tiers.
    pub exemption: Option<&'a str>,
    /// A PM's strategic reason to break the tier order as an override.
    pub override_reason: Option<&'a str>,
}

impl<'a> MoveRequest<'a> {
    /// A plain move: no exemption, no override.
    pub fn plain(keys: &'a [String], anchor: Anchor) -> Self {
        MoveRequest {
            keys,
            anchor,
            exemption: None,
            override_reason: None,
        }
    }
}

/// Moves a selection as a block next to an anchor, in the order the keys are given.
pub async fn move_items(db: &Db, actor: &User, ctx: &ProductCtx, m: MoveRequest<'_>) -> Result<()> {
    // A PM may break tier order only as an override, with a strategic reason (G3).
    let over = overrides::authorize(ctx, m.override_reason, Action::Reorder)?;
    // The moved items, where they land and what tiers weigh the move by, read with the BEGIN.
    let tiers = tiers::move_tiers_read(ctx.product.id, &backlog::numbers_in(ctx, m.keys));
    let first = backlog::place_read(ctx, m.keys, &m.anchor, tiers)?;
    let (mut tx, (placing, tiers)) = begin_locked(db, ctx.product.id, first).await?;
    let p = backlog::place(&mut tx, ctx, m.keys, &m.anchor, placing).await?;
    if over.is_none() {
        let moving = p.ids();
        let (between, exemption) = (p.between(), m.exemption);
        tiers::check_move(&mut tx, actor, ctx, &tiers, &moving, between, exemption).await?;
    }
    let (longest, writes) = backlog::apply(actor, ctx, &p, &m.anchor)?;
    match &over {
        Some(reason) => {
            writes.run(&mut tx.conn()).await?;
            let record = tier_override(ctx, &p, &m.anchor, reason);
            overrides::record(&mut tx, actor, ctx, record).await?;
            tx.commit().await?;
        }
        // The ranks and audit rows go with the COMMIT.
        None => tx.commit_with(writes).await?,
    }
    if let Some(longest) = longest {
        backlog::after_rank_change(db, ctx.product.id, &longest);
    }
    Ok(())
}

/// What the override log keeps of a move that broke the tier order.
fn tier_override<'a>(
    ctx: &ProductCtx,
    p: &Placement,
    anchor: &Anchor,
    reason: &'a str,
) -> overrides::Record<'a> {
    let keys = p.keys(ctx);
    overrides::Record {
        kind: "tier",
        subject: format!(
            "moved {} {}",
            keys.join(", "),
            backlog::describe_anchor(anchor)
        ),
        before: json!({"ranks": p.rows.iter().map(|r| &r.rank).collect::<Vec<_>>()}),
        after: json!({"keys": keys, "placed": backlog::anchor_json(anchor)}),
        reason,
        sprint: None,
    }
}
