//! Sprint review and close (E8): verdicts per acceptance criterion, the goal, where unfinished
//! work goes, and the figures frozen at close.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::scope_items::{self, ScopeItem};
use super::service::{change, get, must_be_active, stale};
use super::{store, Sprint};
use crate::audit;
use crate::auth::store::User;
use crate::auth::Action;
use crate::backlog::{rank, service as backlog_service, store as items, Status};
use crate::db::batch::{Arg, Read};
use crate::db::{Db, Tx};
use crate::error::{Error, Result};
use crate::ids::{ItemId, SprintId};
use crate::points::Points;
use crate::workspace::ProductCtx;
use crate::{exec, on};

/// An item is accepted only when every criterion has a verdict and all of them pass. An item
/// without criteria is judged as a whole (position 0).
pub fn accepted(criteria: usize, verdicts: &[(i64, bool)]) -> bool {
    passed(criteria, verdicts)
}

/// Work the PO may accept: finished by the team (In review or Done). Anything else is accepted
/// only with the PO's reason.
pub fn finished(status: &str) -> bool {
    matches!(status, "in_review" | "done")
}

/// Every criterion has a passing verdict.
fn passed(criteria: usize, verdicts: &[(i64, bool)]) -> bool {
    let positions: Vec<i64> = if criteria == 0 {
        vec![0]
    } else {
        (1..=criteria as i64).collect()
    };
    positions
        .iter()
        .all(|p| verdicts.iter().any(|(vp, pass)| vp == p && *pass))
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerdictInput {
    /// The criterion's position (1…n), or 0 for an item without criteria.
    pub position: i64,
    pub pass: bool,
    #[serde(default)]
    pub note: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CriterionVerdict {
    pub position: i64,
    pub text: String,
    /// Null until the PO decides.
    pub pass: Option<bool>,
    pub note: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ReviewItem {
    pub item: ScopeItem,
    pub criteria: Vec<CriterionVerdict>,
    pub accepted: bool,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Review {
    pub sprint: Sprint,
    pub items: Vec<ReviewItem>,
    pub accepted_points: Points,
}

type VerdictRow = (ItemId, i64, bool, String);

pub async fn review(db: &Db, ctx: &ProductCtx, id: SprintId) -> Result<Review> {
    review_read(ctx, id)?.on(db).await?
}

/// [`review`] as one read (the sprint, its scope, their criteria and verdicts), which may
/// share a round trip with others: a document reads the review of every sprint its stories
/// were in.
pub fn review_read(ctx: &ProductCtx, id: SprintId) -> Result<Read<Result<Review>>> {
    ctx.grants.require(Action::ViewBacklog)?;
    let key = ctx.product.key.clone();
    let criteria = Read::query(
        "SELECT c.item_id, c.position, c.text FROM criteria c
         WHERE c.item_id IN (SELECT item_id FROM sprint_items WHERE sprint_id = $1 AND removed_at IS NULL)
         ORDER BY c.item_id, c.position",
        vec![i64::from(id).into()],
        |rows| rows.all::<(ItemId, i64, String)>(),
    );
    let verdicts = Read::query(
        "SELECT item_id, position, pass, note FROM review_verdicts WHERE sprint_id = $1",
        vec![i64::from(id).into()],
        |rows| rows.all::<VerdictRow>(),
    );
    Ok(store::sprint_read(ctx.product.id, id)
        .and(scope_items::current_read(id, &ctx.product.key))
        .and(criteria.and(verdicts))
        .map(move |((sprint, scope), (criteria, verdicts))| {
            Ok(sprint
                .ok_or(Error::NotFound)
                .map(|s| of_scope(s.into_sprint(&key), scope, &criteria, &verdicts)))
        }))
}

/// The review of `sprint` from its scope and their criteria and verdicts.
fn of_scope(
    sprint: Sprint,
    scope: Vec<ScopeItem>,
    criteria: &[(ItemId, i64, String)],
    verdicts: &[VerdictRow],
) -> Review {
    let mut out = Vec::with_capacity(scope.len());
    let mut accepted_points = Points::ZERO;
    for item in scope {
        let mut texts: Vec<(i64, String)> = criteria
            .iter()
            .filter(|c| c.0 == item.item_id)
            .map(|c| (c.1, c.2.clone()))
            .collect();
        let n = texts.len();
        if texts.is_empty() {
            texts.push((0, "The item as a whole".to_string()));
        }
        let mine: Vec<&VerdictRow> = verdicts.iter().filter(|v| v.0 == item.item_id).collect();
        let criteria = texts
            .into_iter()
            .map(|(position, text)| {
                let v = mine.iter().find(|v| v.1 == position);
                CriterionVerdict {
                    position,
                    text,
                    pass: v.map(|v| v.2),
                    note: v.map(|v| v.3.clone()).unwrap_or_default(),
                }
            })
            .collect();
        let pairs: Vec<(i64, bool)> = mine.iter().map(|v| (v.1, v.2)).collect();
        let ok = accepted(n, &pairs) && (finished(&item.status) || item.accept_reason.is_some());
        if ok {
            accepted_points += item.points;
        }
        out.push(ReviewItem {
            item,
            criteria,
            accepted: ok,
        });
    }
    Review {
        sprint,
        items: out,
        accepted_points,
    }
}

/// The PO's call on one item at the review.
pub struct Call<'a> {
    pub verdicts: &'a [VerdictInput],
    /// Where it goes if unaccepted: top (of the backlog) or next (sprint).
    pub carry: Option<&'a str>,
    /// Why it is accepted though the team has not finished it.
    pub accept_reason: Option<&'a str>,
}

/// Records the PO's verdicts on an item's criteria and, optionally, where it goes if unaccepted.
pub async fn record_verdicts(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    id: SprintId,
    key: &str,
    call: Call<'_>,
) -> Result<()> {
    let Call {
        verdicts,
        carry,
        accept_reason,
    } = call;
    ctx.grants.require(Action::ReviewSprint)?;
    if let Some(c) = carry.filter(|c| !matches!(*c, "top" | "next")) {
        return Err(Error::invalid(
            "carry",
            format!("{c:?}: use top (of the backlog) or next (sprint)"),
        ));
    }
    let mut tx = db.begin().await?;
    let row = store::sprint(&mut tx.conn(), ctx.product.id, id).await?;
    must_be_active(&row, "reviewing")?;
    let item = items::row_in_product(&mut tx.conn(), ctx.product.id, &ctx.product.key, key)
        .await
        .map_err(|_| Error::invalid("item", format!("{key} is not in this backlog")))?;
    let scope = scope_items::current(&mut tx.conn(), id, &ctx.product.key).await?;
    let Some(in_scope) = scope.iter().find(|s| s.item_id == item.id) else {
        return Err(Error::invalid(
            "item",
            format!("{key} is not in {}", row.name),
        ));
    };
    let accept_reason = accept_reason
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(|r| crate::backlog::validate_text("accept_reason", r, 1_000))
        .transpose()?;
    let criteria = items::criteria(&mut tx.conn(), item.id).await?;
    for v in verdicts {
        let text = if criteria.is_empty() && v.position == 0 {
            "The item as a whole".to_string()
        } else {
            usize::try_from(v.position - 1)
                .ok()
                .and_then(|i| criteria.get(i))
                .cloned()
                .ok_or_else(|| {
                    Error::invalid("position", format!("{key} has no criterion {}", v.position))
                })?
        };
        let note = crate::backlog::validate_text("note", &v.note, 2_000)?;
        exec!(&mut tx.conn(), t => sqlx::query(
        "INSERT INTO review_verdicts (sprint_id, item_id, position, criterion, pass, note, decided_by, decided_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (sprint_id, item_id, position) DO UPDATE SET
                criterion = excluded.criterion, pass = excluded.pass, note = excluded.note,
                decided_by = excluded.decided_by, decided_at = excluded.decided_at")
        .bind(id).bind(item.id).bind(v.position).bind(&text).bind(v.pass).bind(&note)
        .bind(actor.id).bind(crate::db::now())
        )?;
    }
    // Accepting needs finished work, or the PO's reason (kept with the item's place in scope).
    let all: Vec<(i64, bool)> = on!(&mut tx.conn(), t => sqlx::query_as(
        "SELECT position, pass FROM review_verdicts WHERE sprint_id = $1 AND item_id = $2")
        .bind(id).bind(item.id).fetch_all(&mut **t).await)?;
    if passed(criteria.len(), &all) && !finished(&in_scope.status) {
        match (&accept_reason, &in_scope.accept_reason) {
            (Some(r), _) => {
                exec!(&mut tx.conn(), t => sqlx::query(
                    "UPDATE sprint_items SET accept_reason = $1 WHERE sprint_id = $2 AND item_id = $3 AND removed_at IS NULL")
                    .bind(r).bind(id).bind(item.id))?;
            }
            (None, Some(_)) => {}
            (None, None) => {
                return Err(Error::invalid(
                    "accept_reason",
                    format!(
                        "{key} is {}: the team has not finished it; move it to In review or Done first, or give a reason to accept it anyway",
                        crate::backlog::status_title(&in_scope.status)
                    ),
                ))
            }
        }
    }
    if let Some(c) = carry {
        exec!(&mut tx.conn(), t => sqlx::query(
            "UPDATE sprint_items SET carry = $1 WHERE sprint_id = $2 AND item_id = $3 AND removed_at IS NULL")
            .bind(c).bind(id).bind(item.id))?;
    }
    let after = json!({"key": key, "verdicts": verdicts.iter().map(|v| json!({"position": v.position, "pass": v.pass, "note": v.note})).collect::<Vec<_>>(), "carry": carry, "accept_reason": accept_reason});
    audit::store::record(
        &mut tx,
        change(ctx, actor, "sprint.review", id, None, Some(after)),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The PO's call on whether the sprint goal was met.
pub async fn record_goal(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    id: SprintId,
    met: bool,
) -> Result<()> {
    ctx.grants.require(Action::ReviewSprint)?;
    let mut tx = db.begin().await?;
    let row = store::sprint(&mut tx.conn(), ctx.product.id, id).await?;
    must_be_active(&row, "reviewing")?;
    exec!(&mut tx.conn(), t => sqlx::query("UPDATE sprints SET goal_met = $1, version = version + 1 WHERE id = $2")
        .bind(met).bind(id))?;
    audit::store::record(
        &mut tx,
        change(
            ctx,
            actor,
            "sprint.goal",
            id,
            Some(json!({"goal_met": row.goal_met})),
            Some(json!({"goal_met": met})),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Closes the sprint: freezes its figures, marks accepted items done, and sends the rest to the
/// top of the backlog or into the team's next planned sprint, as the PO chose in the review.
pub async fn close(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    id: SprintId,
    version: i64,
) -> Result<Sprint> {
    ctx.grants.require(Action::CloseSprint)?;
    let review = review(db, ctx, id).await?;
    let mut tx = db.begin().await?;
    // Closing may carry items into the next sprint and to the top of the backlog.
    super::scope::lock_scope(&mut tx, ctx).await?;
    let row = store::sprint(&mut tx.conn(), ctx.product.id, id).await?;
    must_be_active(&row, "closing")?;
    if row.version != version || row.version != review.sprint.version {
        drop(tx);
        return Err(stale(db, ctx, id).await);
    }
    if row.goal_met.is_none() {
        return Err(Error::Conflict(format!(
            "record in the review whether the goal of {} was met before closing it",
            row.name
        )));
    }
    let days = available_days(db, &row).await?;
    let accepted: HashSet<ItemId> = review
        .items
        .iter()
        .filter(|r| r.accepted)
        .map(|r| r.item.item_id)
        .collect();
    let closing = Closing {
        accepted: &accepted,
        available_days: Some(days),
        closed_at: Some(crate::db::now()),
        version,
    };
    let Some(Frozen {
        added,
        removed,
        completed,
        say_do,
    }) = freeze_close(&mut tx, &row, ctx.product.id, &closing).await?
    else {
        drop(tx);
        return Err(stale(db, ctx, id).await);
    };
    let mut to_top = Vec::new();
    let mut to_next = Vec::new();
    for r in &review.items {
        if r.accepted {
            if r.item.status != Status::Done {
                items::set_status(&mut tx, r.item.item_id, Status::Done).await?;
            }
            continue;
        }
        // Unaccepted work goes back to To do, wherever it was on the board.
        if r.item.status != Status::Todo {
            items::set_status(&mut tx, r.item.item_id, Status::Todo).await?;
        }
        if r.item.carry == "next" {
            to_next.push(&r.item);
        } else {
            to_top.push(&r.item);
        }
    }
    let next = carry_to_next(&mut tx, actor, &row, &to_next).await?;
    let top_rank = carry_to_top(&mut tx, ctx, &to_top).await?;
    let after = json!({"committed": row.baseline_points, "added": added, "removed": removed,
        "completed": completed, "goal_met": row.goal_met,
        "to_backlog": to_top.iter().map(|i| &i.key).collect::<Vec<_>>(),
        "to_next": to_next.iter().map(|i| &i.key).collect::<Vec<_>>(), "next_sprint": next});
    audit::store::record(
        &mut tx,
        change(ctx, actor, "sprint.close", id, None, Some(after.clone())),
    )
    .await?;
    // Completed points include work added after the start; say/do counts only what was
    // committed at the start (PRODUCT.md, Definitions), so the line gives both.
    let committed = row.baseline_points.unwrap_or_default();
    let say_do_pct = if committed > Points::ZERO {
        let (s, c) = (say_do.hundredths(), committed.hundredths());
        format!("{} %", (s * 100 + c / 2) / c)
    } else {
        "n/a".to_string()
    };
    let title = format!(
        "{} closed {}: {completed} points completed; {say_do} of the {committed} committed at the start (say/do {say_do_pct})",
        actor.name, row.name
    );
    crate::notify::hooks::sprint_read(ctx, actor, id, "sprint.closed", title, after)
        .run(&mut tx.conn())
        .await?;
    tx.commit().await?;
    if let Some(r) = top_rank {
        backlog_service::after_rank_change(db, ctx.product.id, &r);
    }
    get(db, ctx, id).await
}

/// The members' available days over the sprint's workdays (none for a sprint without dates).
pub async fn available_days(db: &Db, row: &store::SprintRow) -> Result<f64> {
    let workdays = row
        .dates()
        .map_or_else(Vec::new, |(s, e)| super::workdays(s, e));
    let mut avail = store::availability(db, row.id).await?;
    Ok(avail
        .iter_mut()
        .map(|a| {
            a.compute(&workdays);
            a.available_days
        })
        .sum())
}

/// What closing a sprint is told: the items accepted, and what to record.
pub struct Closing<'a> {
    pub accepted: &'a HashSet<ItemId>,
    /// None when not known (an imported sprint: who was available then is not in the file).
    pub available_days: Option<f64>,
    /// Now in the sprint room; an import gives the file's completion date (or none).
    pub closed_at: Option<DateTime<Utc>>,
    /// The sprint's version; a close of a changed sprint writes nothing.
    pub version: i64,
}

/// The figures frozen at close.
pub struct Frozen {
    pub added: Points,
    pub removed: Points,
    pub completed: Points,
    pub say_do: Points,
}

/// Closes the sprint inside the caller's transaction and freezes what it committed and
/// delivered: each item's outcome, points added and removed since the start, completed points
/// (accepted items) and say/do points (accepted and committed at the start), the available
/// days, and the alignment of its quarter (PRODUCT.md, Definitions). None, writing nothing
/// that counts, when the sprint is no longer at `version`. The sprint room's close and an
/// import's closed sprints both go through here.
pub async fn freeze_close(
    tx: &mut Tx,
    row: &store::SprintRow,
    product_id: i64,
    c: &Closing<'_>,
) -> Result<Option<Frozen>> {
    let id = row.id;
    let started = row.started_at.unwrap_or_else(crate::db::now);
    let (added, removed): (Points, Points) = on!(&mut tx.conn(), t => sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(CASE WHEN NOT in_baseline AND added_at >= $2 THEN points ELSE 0 END), 0) AS BIGINT),
                CAST(COALESCE(SUM(CASE WHEN removed_at IS NOT NULL THEN points ELSE 0 END), 0) AS BIGINT)
         FROM sprint_items WHERE sprint_id = $1")
        .bind(id).bind(started).fetch_one(&mut **t).await)?;
    let scope = scope_items::current(&mut tx.conn(), id, "").await?;
    let (mut completed, mut say_do) = (Points::ZERO, Points::ZERO);
    let mut accepted: Vec<Arg> = vec![i64::from(id).into()];
    for item in scope.iter().filter(|i| c.accepted.contains(&i.item_id)) {
        completed += item.points;
        if item.in_baseline {
            say_do += item.points;
        }
        accepted.push(i64::from(item.item_id).into());
    }
    // Every outcome in one statement (an import closes sprints of hundreds of items), written
    // only where it differs: an import writes its closed sprints' rows with theirs.
    let outcome = if accepted.len() == 1 {
        "'not_accepted'".to_string()
    } else {
        let marks: Vec<String> = (2..=accepted.len()).map(|n| format!("${n}")).collect();
        format!(
            "CASE WHEN item_id IN ({}) THEN 'accepted' ELSE 'not_accepted' END",
            marks.join(",")
        )
    };
    Read::exec(
        format!(
            "UPDATE sprint_items SET outcome = {outcome}
             WHERE sprint_id = $1 AND removed_at IS NULL AND outcome IS DISTINCT FROM {outcome}"
        ),
        accepted,
    )
    .run(&mut tx.conn())
    .await?;
    let quarter = row
        .start()
        .map(|d| crate::strategy::Quarter::of(d).to_string());
    store::freeze_alignment(tx, id, product_id, quarter.as_deref()).await?;
    let n = exec!(&mut tx.conn(), t => sqlx::query(
        "UPDATE sprints SET state = 'closed', closed_at = $1, added_points = $2, removed_points = $3,
            completed_points = $4, say_do_points = $5, available_days = $6, version = version + 1
         WHERE id = $7 AND version = $8")
        .bind(c.closed_at).bind(added).bind(removed).bind(completed).bind(say_do).bind(c.available_days)
        .bind(id).bind(c.version))?;
    Ok((n == 1).then_some(Frozen {
        added,
        removed,
        completed,
        say_do,
    }))
}

async fn carry_to_next(
    tx: &mut Tx,
    actor: &User,
    row: &store::SprintRow,
    moving: &[&ScopeItem],
) -> Result<Option<String>> {
    if moving.is_empty() {
        return Ok(None);
    }
    let next: Option<(i64, String)> = on!(&mut tx.conn(), t => sqlx::query_as(
        "SELECT id, name FROM sprints WHERE team_id = $1 AND product_id = $2 AND state = 'planned'
           AND ($3 IS NULL OR start_date IS NULL OR start_date > $3)
         ORDER BY start_date NULLS LAST, id LIMIT 1")
        .bind(row.team_id).bind(row.product_id).bind(&row.start_date).fetch_optional(&mut **t).await)?;
    let Some((next_id, name)) = next else {
        return Err(Error::Conflict(format!(
            "the team has no planned sprint after {} to carry {} into; plan one, or send them to the backlog",
            row.name,
            moving.iter().map(|i| i.key.as_str()).collect::<Vec<_>>().join(", ")
        )));
    };
    let note = format!("carried over from {}", row.name);
    for item in moving {
        exec!(&mut tx.conn(), t => sqlx::query(
        "INSERT INTO sprint_items (sprint_id, item_id, points, for_goal, exception, added_at, added_by, add_reason)
         VALUES ($1, $2, $3, FALSE, $4, $5, $6, $7)")
        .bind(next_id).bind(item.item_id).bind(item.points)
        .bind((!item.ready).then_some(note.as_str())).bind(crate::db::now()).bind(actor.id).bind(&note)
        )?;
    }
    Ok(Some(name))
}

/// Puts the items at the top of the backlog, in their current order; returns the longest rank.
async fn carry_to_top(
    tx: &mut Tx,
    ctx: &ProductCtx,
    moving: &[&ScopeItem],
) -> Result<Option<String>> {
    if moving.is_empty() {
        return Ok(None);
    }
    items::lock_product(tx, ctx.product.id).await?;
    let ids: Vec<ItemId> = moving.iter().map(|i| i.item_id).collect();
    let first = items::neighbour_rank(tx, ctx.product.id, "", true, &ids).await?;
    let ranks = rank::block_between(None, first.as_deref(), ids.len())?;
    // Parked first: a new rank may equal the old rank of another item being moved.
    for id in &ids {
        items::set_rank(tx, *id, &format!("~~{id}")).await?;
    }
    for (id, r) in ids.iter().zip(&ranks) {
        items::set_rank(tx, *id, r).await?;
    }
    Ok(ranks.into_iter().max_by_key(|r| r.len()))
}

#[cfg(test)]
mod tests {
    use super::accepted;

    #[test]
    fn accepted_only_when_every_criterion_passes() {
        assert!(accepted(2, &[(1, true), (2, true)]));
        assert!(!accepted(2, &[(1, true), (2, false)]));
        assert!(
            !accepted(2, &[(1, true)]),
            "an unchecked criterion is not a pass"
        );
        assert!(accepted(0, &[(0, true)]));
        assert!(!accepted(0, &[]));
        assert!(
            !accepted(1, &[(0, true)]),
            "a whole-item verdict does not stand in for criteria"
        );
    }
}
