//! Sprint scope under governance (G2, G3): commits checked against the unaligned allowance, and
//! in-sprint scope changes that a PM may make only as a recorded override. The sprint room makes
//! the change inside a transaction; this layer decides and commits. The API, the pages and the
//! CLI call these, never the sprint's steps directly.

use serde_json::json;

use super::overrides;
use crate::auth::store::User;
use crate::auth::Action;
use crate::calendar::Quarter;
use crate::db::batch::Read;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::ids::SprintId;
use crate::points::Points;
use crate::sprint::scope::{self as sprint_scope, Commit, Committed, Effect, ScopeChange};
use crate::sprint::store::SprintRow;
use crate::workspace::ProductCtx;

/// Commits backlog items to a planned sprint; not-ready items need the PO's exception reason.
/// Over the product's unaligned allowance, strict mode refuses and advisory mode warns.
pub async fn commit(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    sprint_id: SprintId,
    expected: Option<i64>,
    c: Commit<'_>,
) -> Result<Committed> {
    let (tx, mut out, _, scope) =
        sprint_scope::commit_in(db, actor, ctx, sprint_id, expected, c, |sprint| {
            scope_alignment_read(ctx, sprint)
        })
        .await?;
    if let Some(w) = allowance_check(scope)? {
        out.warnings.push(w);
    }
    tx.commit().await?;
    Ok(out)
}

/// Previews or applies a scope change to an active sprint, checked against the version read. A
/// PM's change is an override and needs a strategic reason; it is recorded and the team told.
pub async fn change_scope(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    sprint_id: SprintId,
    version: i64,
    c: &ScopeChange,
    apply: bool,
) -> Result<Effect> {
    let over = overrides::authorize(ctx, c.override_reason.as_deref(), Action::ChangeScope)?;
    let p = sprint_scope::prepare_change(db, actor, ctx, sprint_id, version, c, apply).await?;
    let Some((mut tx, rows)) = p.tx else {
        return Ok(p.effect);
    };
    let stale = || crate::sprint::service::stale(db, ctx, sprint_id);
    // A PM's change records its override after the rows; anyone else's rows go with the COMMIT.
    let Some(reason) = &over else {
        return match tx.commit_guarded(rows, |bumped| *bumped).await? {
            Some(_) => Ok(p.effect),
            None => Err(stale().await),
        };
    };
    if !rows.run(&mut tx.conn()).await? {
        drop(tx);
        return Err(stale().await);
    }
    let rec = overrides::Record {
        kind: "scope",
        subject: format!("{} in {}", p.what, p.sprint_name),
        before: json!({"committed": p.effect.committed_before}),
        after: p.after,
        reason,
        sprint: Some(p.sprint_id.0),
    };
    overrides::record(&mut tx, actor, ctx, rec).await?;
    tx.commit().await?;
    Ok(p.effect)
}

/// A sprint's quarter, its points serving a priority of it and serving none, the product's
/// tier policy and unaligned allowance.
type ScopeAlignment = (Quarter, Points, Points, String, i64);

/// The sprint's scope points, and its scope by alignment with its quarter's priorities with the
/// product's policy; no alignment for a sprint without dates (it is in no quarter: no priority
/// to weigh its scope against). The points serving a priority and those serving none add up to
/// the scope's.
fn scope_alignment_read(
    ctx: &ProductCtx,
    sprint: &SprintRow,
) -> Read<(Points, Option<ScopeAlignment>)> {
    let Some(start) = sprint.start() else {
        return crate::sprint::store::scope_points_read(sprint.id).map(|p| Ok((p, None)));
    };
    let quarter = Quarter::of(start);
    super::store::scope_alignment_read(ctx.product.id, quarter, sprint.id).map(
        move |(aligned, unaligned, policy, allowance)| {
            let scope = aligned + unaligned;
            Ok((
                scope,
                Some((quarter, aligned, unaligned, policy, allowance)),
            ))
        },
    )
}

/// The unaligned allowance (G2): the share of a sprint's points serving no priority of its
/// quarter. Over it, strict mode refuses the commit; advisory mode warns.
fn allowance_check(scope: Option<ScopeAlignment>) -> Result<Option<String>> {
    let Some((quarter, aligned, unaligned, policy, allowance)) = scope else {
        return Ok(None);
    };
    let total = aligned + unaligned;
    let (u, t) = (unaligned.hundredths(), total.hundredths());
    if t == 0 || u * 100 <= allowance * t {
        return Ok(None);
    }
    let msg = format!(
        "{unaligned} of {total} committed points ({:.0} %) serve no priority of {quarter}, over the unaligned allowance of {allowance} %",
        u as f64 * 100.0 / t as f64
    );
    if policy == "strict" {
        return Err(Error::Conflict(format!(
            "{msg}; commit work that serves a priority, or ask the PM to change the allowance"
        )));
    }
    Ok(Some(msg))
}
