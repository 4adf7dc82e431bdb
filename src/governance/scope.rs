//! Sprint scope under governance (G2, G3): commits checked against the unaligned allowance, and
//! in-sprint scope changes that a PM may make only as a recorded override. The sprint room makes
//! the change inside a transaction; this layer decides and commits. The API, the pages and the
//! CLI call these, never the sprint's steps directly.

use std::sync::{Arc, LazyLock};

use serde_json::json;

use super::overrides;
use super::store::{self, KeptScope, ScopeGroup, ScopeLineage};
use crate::auth::store::User;
use crate::auth::Action;
use crate::calendar::Quarter;
use crate::db::kept::Shelf;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::ids::SprintId;
use crate::points::Points;
use crate::sprint::scope::{self as sprint_scope, Commit, Committed, Effect, ScopeChange};
use crate::sprint::store::{NewSprintItem, SprintRow};
use crate::workspace::ProductCtx;

/// Commits backlog items to a planned sprint; not-ready items need the PO's exception reason.
/// Over the product's unaligned allowance, strict mode refuses and advisory mode warns: the
/// scope as it will be is weighed before anything is written, from the scope and the items'
/// initiatives read with the transaction's BEGIN.
pub async fn commit(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    sprint_id: SprintId,
    expected: Option<i64>,
    c: Commit<'_>,
) -> Result<Committed> {
    let numbers = crate::backlog::service::numbers_in(ctx, c.keys);
    // On SQLite the scope a commit leaves is kept for the next one (see `KEPT`).
    let (key, keeping) = ((db.id, sprint_id), db.is_sqlite());
    let kept = keeping.then(|| KEPT.peek(&key)).flatten();
    let kept = kept.map(|(print, groups)| KeptScope { print, groups });
    let first = store::scope_lineage_read(ctx.product.id, sprint_id, &numbers, kept, keeping);
    let last = store::scope_print_read(keeping, ctx.product.id, sprint_id);
    let (mut out, (warning, after), print) = sprint_scope::commit_with(
        db,
        actor,
        ctx,
        sprint_id,
        expected,
        c,
        first,
        |sprint, adding, (lineage, _)| {
            // Only what will be kept: PostgreSQL keeps none.
            let after = keeping.then(|| scope_groups_after(&lineage, adding));
            let scope = scope_after(sprint, adding, lineage);
            Ok((scope.0, (allowance_check(scope.1)?, after)))
        },
        last,
    )
    .await?;
    if let (Some(print), Some(after)) = (print, after) {
        KEPT.put(key, print, Arc::new(after));
    }
    out.warnings.extend(warning);
    Ok(out)
}

/// Sprints' scope by initiative as the last commit to each left it, on SQLite, under the
/// sprint's version and the product's counts read after the commit's writes in its own
/// transaction (the writer is alone in it, so those are the counts its scope has while they
/// last). A commit reads a scope of hundreds of rows otherwise, and every commit changes it; the
/// next one reads the rows again only when the counts moved (`store::scope_lineage_read`).
static KEPT: LazyLock<Shelf<(u64, SprintId), store::ScopePrint, Vec<ScopeGroup>>> =
    LazyLock::new(|| Shelf::new(256));

/// The scope's groups once `adding` is in: the added items' points join the group of the
/// same quarters (all `scope_after` asks of a group), or make one.
fn scope_groups_after(lineage: &ScopeLineage, adding: &[NewSprintItem<'_>]) -> Vec<ScopeGroup> {
    let mut groups: Vec<ScopeGroup> = lineage.scope.as_ref().clone();
    for a in adding {
        let quarters = lineage
            .items
            .iter()
            .find(|l| l.item_id == a.item_id)
            .map(|l| l.quarters.clone())
            .unwrap_or_default();
        match groups.iter_mut().find(|g| g.quarters == quarters) {
            Some(g) => g.points += a.points,
            None => groups.push(ScopeGroup {
                points: a.points,
                quarters,
            }),
        }
    }
    groups
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

/// The sprint's scope points once `adding` is in, and that scope by alignment with its
/// quarter's priorities with the product's policy; no alignment for a sprint without dates (it
/// is in no quarter: no priority to weigh its scope against). The points serving a priority
/// and those serving none add up to the scope's.
fn scope_after(
    sprint: &SprintRow,
    adding: &[NewSprintItem<'_>],
    lineage: ScopeLineage,
) -> (Points, Option<ScopeAlignment>) {
    let new: Points = adding.iter().map(|a| a.points).sum();
    let scope = lineage.scope.iter().map(|g| g.points).sum::<Points>() + new;
    let Some(start) = sprint.start() else {
        return (scope, None);
    };
    let quarter = Quarter::of(start);
    let q = quarter.to_string();
    // The items' own points are the scope rows' to be: a row's points are its item's at commit.
    let added = adding.iter().map(|a| {
        let serves = lineage
            .items
            .iter()
            .find(|l| l.item_id == a.item_id)
            .is_some_and(|l| l.quarters.contains(&q));
        (a.points, serves)
    });
    let scoped = lineage
        .scope
        .iter()
        .map(|g| (g.points, g.quarters.contains(&q)));
    let (mut aligned, mut unaligned) = (Points::ZERO, Points::ZERO);
    for (points, serves) in scoped.chain(added) {
        match serves {
            true => aligned += points,
            false => unaligned += points,
        }
    }
    // Without priorities there is no strategy to be aligned with; the advisor says so instead.
    if !lineage.quarters_with_priorities.contains(&q) {
        (aligned, unaligned) = (aligned + unaligned, Points::ZERO);
    }
    let alignment = (
        quarter,
        aligned,
        unaligned,
        lineage.policy,
        lineage.allowance,
    );
    (scope, Some(alignment))
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
