//! Reads what a product's Overview shows, from the rooms that own each fact: the running
//! sprint and its burndown, the quarter's alignment, the backlog's top, open questions,
//! sign-offs, metrics, overrides, retrospectives and the flow board's WIP.

use chrono::{NaiveDate, Utc};
use serde::Serialize;

use super::{MetricBehind, Need, OpenQuestion, PendingSignoff, Signals, Unready};
use crate::auth::Action;
use crate::db::Db;
use crate::error::Result;
use crate::governance::alignment::{Alignment, AlignmentParams, PriorityRow};
use crate::governance::NoScore;
use crate::points::Points;
use crate::strategy::Quarter;
use crate::workspace::ProductCtx;

/// The running sprint as the Overview shows it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SprintNow {
    #[schema(value_type = i64)]
    pub id: crate::ids::SprintId,
    pub name: String,
    pub goal: String,
    /// Workday of the sprint today (1 = its first), and how many workdays it has.
    pub day: usize,
    pub days: usize,
    /// Points done of the sprint's scope (committed at start, plus added, minus removed).
    pub done: Points,
    pub scope: Points,
    #[schema(value_type = String)]
    pub end: NaiveDate,
    /// Remaining points at the end of each day so far, and the ideal line, for a sparkline.
    pub remaining: Vec<f64>,
    pub ideal: Vec<f64>,
}

/// What a product's Overview shows, for one viewer.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Overview {
    pub product: String,
    #[schema(value_type = String, example = "2026-Q4")]
    pub quarter: String,
    /// sprints or flow.
    pub cadence: String,
    pub sprint: Option<SprintNow>,
    /// The quarter's alignment score over committed points, when there is one.
    pub score: Option<i64>,
    /// Its change since the previous period of the quarter's trend.
    pub score_change: Option<i64>,
    /// The quarter's worst gap, in one sentence.
    pub gap: String,
    /// The quarter's priorities, top first, with points committed and completed.
    pub priorities: Vec<PriorityRow>,
    /// What needs the viewer's attention, by the roles they hold.
    pub needs: Vec<Need>,
}

pub async fn overview(db: &Db, ctx: &ProductCtx) -> Result<Overview> {
    ctx.grants.require(Action::ViewBacklog)?;
    let now = Utc::now();
    let today = crate::strategy::today();
    let quarter = Quarter::of(today);
    let flow = ctx.product.cadence == "flow";
    let sprints = crate::sprint::service::list(db, ctx, None).await?;
    let active = sprints.iter().find(|s| s.state == "active");
    let sprint = match active {
        Some(s) => sprint_now(db, ctx, s.id, today).await?,
        None => None,
    };
    let a = crate::flow::alignment::report(
        db,
        ctx,
        &AlignmentParams {
            sprint: None,
            quarter: Some(quarter.to_string()),
            month: None,
            team: None,
        },
    )
    .await?;
    let mut s = Signals {
        ws: ctx.workspace.slug.clone(),
        product: ctx.product.key.clone(),
        today: Some(today),
        sprint: sprint.as_ref().map(|s| (s.id, s.name.clone(), s.end)),
        priorities_set: !matches!(a.committed.no_score, Some(NoScore::NoPriorities)),
        priorities_without_work: a.strategy_without_execution.clone(),
        unaligned: a
            .committed
            .score
            .as_ref()
            .map(|sc| (sc.unaligned_share, a.allowance_pct as f64 / 100.0)),
        overrides: crate::governance::overrides::list(db, ctx, quarter)
            .await?
            .count,
        ..Signals::default()
    };
    let roles = &ctx.grants.roles;
    use crate::auth::Role;
    if roles.contains(&Role::Po) {
        s.unready_top = unready_top(db, ctx).await?;
        s.open_questions = open_questions(db, ctx).await?;
    }
    s.signoffs = pending_signoffs(db, ctx).await?;
    if roles.contains(&Role::Pm) {
        s.metrics_behind = metrics_behind(db, ctx, quarter).await?;
    }
    if roles.contains(&Role::Sm) {
        s.retro_missing = retro_missing(db, &sprints).await?;
        if flow {
            s.wip_over = crate::flow::board::board(db, ctx, None).await?.warnings;
        }
    }
    Ok(Overview {
        product: ctx.product.key.clone(),
        quarter: quarter.to_string(),
        cadence: ctx.product.cadence.clone(),
        score: a.committed.score.as_ref().map(|s| s.score),
        score_change: change(&a),
        gap: a.worst_gap(),
        needs: super::needs_for(roles, &s, now),
        priorities: a.priorities,
        sprint,
    })
}

async fn sprint_now(
    db: &Db,
    ctx: &ProductCtx,
    id: crate::ids::SprintId,
    today: NaiveDate,
) -> Result<Option<SprintNow>> {
    let b = crate::sprint::board::burndown(db, ctx, id).await?;
    let Some((first, last)) = b.sprint.dates() else {
        return Ok(None);
    };
    let workdays = crate::sprint::workdays(first, last);
    let day = workdays.iter().filter(|d| **d <= today).count().max(1);
    let (done, scope) = b.days.last().map_or((Points::ZERO, b.baseline), |d| {
        (d.scope - d.remaining, d.scope)
    });
    Ok(Some(SprintNow {
        id,
        name: b.sprint.name.clone(),
        goal: b.sprint.goal.clone(),
        day,
        days: workdays.len(),
        done,
        scope,
        end: last,
        remaining: b.days.iter().map(|d| d.remaining.as_f64()).collect(),
        ideal: b.days.iter().map(|d| d.ideal).collect(),
    }))
}

/// The change of the score between the last two periods of the quarter that have one.
fn change(a: &Alignment) -> Option<i64> {
    let scored: Vec<i64> = a.trend.iter().filter_map(|(_, s)| *s).collect();
    match scored.as_slice() {
        [.., before, last] => Some(last - before),
        _ => None,
    }
}

/// Open items among the top 10 of the backlog that are not ready.
async fn unready_top(db: &Db, ctx: &ProductCtx) -> Result<Vec<Unready>> {
    let params = crate::governance::listing::ListParams {
        q: Some("is:open".into()),
        cursor: None,
        limit: Some(10),
    };
    let page = crate::governance::listing::page(db, ctx, &params).await?;
    Ok(page
        .items
        .into_iter()
        .filter(|i| !i.ready)
        .map(|i| Unready {
            key: i.key,
            title: i.title,
            reasons: i.unready_reasons,
        })
        .collect())
}

async fn open_questions(db: &Db, ctx: &ProductCtx) -> Result<Vec<OpenQuestion>> {
    let rows: Vec<(i64, String, chrono::DateTime<Utc>)> = crate::on!(&mut db.reader().await?.conn(), c => sqlx::query_as(
        "SELECT i.number, q.body, q.asked_at FROM questions q JOIN items i ON i.id = q.item_id
         WHERE q.product_id = $1 AND q.answered_at IS NULL ORDER BY q.asked_at LIMIT 50")
        .bind(ctx.product.id).fetch_all(&mut **c).await)?;
    Ok(rows
        .into_iter()
        .map(|(n, body, asked_at)| OpenQuestion {
            key: format!("{}-{n}", ctx.product.key),
            body,
            asked_at,
        })
        .collect())
}

async fn pending_signoffs(db: &Db, ctx: &ProductCtx) -> Result<Vec<PendingSignoff>> {
    let stakeholders = crate::roadmap::signoff::stakeholders(db, ctx).await?;
    let me = stakeholders
        .iter()
        .find(|s| s.user_id == ctx.user_id)
        .map(|s| s.name.clone());
    Ok(crate::roadmap::signoff::list(db, ctx)
        .await?
        .into_iter()
        .filter(|r| r.status == "pending")
        .map(|r| PendingSignoff {
            id: r.id,
            waiting_for_me: me.as_ref().is_some_and(|m| r.waiting_for.contains(m)),
            title: r.title,
            waiting_for: r.waiting_for,
        })
        .collect())
}

/// Metrics of this quarter's objectives (or of none) whose latest value falls short of target.
async fn metrics_behind(db: &Db, ctx: &ProductCtx, q: Quarter) -> Result<Vec<MetricBehind>> {
    type Row = (i64, String, String, String, f64, Option<f64>);
    let rows: Vec<Row> = crate::on!(&mut db.reader().await?.conn(), c => sqlx::query_as(
        "SELECT m.id, m.name, m.unit, m.direction, m.target,
                (SELECT v.value FROM metric_values v WHERE v.metric_id = m.id ORDER BY v.measured_on DESC LIMIT 1)
         FROM metrics m LEFT JOIN objectives o ON o.id = m.objective_id
         WHERE m.product_id = $1 AND (o.id IS NULL OR o.quarter = $2) ORDER BY m.name")
        .bind(ctx.product.id).bind(q.to_string()).fetch_all(&mut **c).await)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, name, unit, direction, target, latest)| {
            let latest = latest?;
            super::behind(&direction, latest, target).then_some(MetricBehind {
                id,
                name,
                latest,
                target,
                unit,
            })
        })
        .collect())
}

/// The last closed sprint, when nobody has opened its retrospective.
async fn retro_missing(
    db: &Db,
    sprints: &[crate::sprint::Sprint],
) -> Result<Option<(crate::ids::SprintId, String)>> {
    let Some(last) = sprints
        .iter()
        .filter(|s| s.state == "closed")
        .max_by_key(|s| (s.end_date, s.id))
    else {
        return Ok(None);
    };
    let open: bool = crate::on!(&mut db.reader().await?.conn(), c => sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM retros WHERE sprint_id = $1)")
        .bind(last.id).fetch_one(&mut **c).await)?;
    Ok((!open).then(|| (last.id, last.name.clone())))
}
