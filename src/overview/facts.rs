//! Reads what a product's Overview shows, from the rooms that own each fact: the running
//! sprint and its burndown, the quarter's alignment, the backlog's top, open questions,
//! sign-offs, metrics, overrides, retrospectives and the flow board's WIP.

use chrono::{NaiveDate, Utc};
use serde::Serialize;

use super::{MetricBehind, Need, OpenQuestion, PendingSignoff, Signals, Unready};
use crate::auth::Action;
use crate::db::batch::Read;
use crate::db::Db;
use crate::error::Result;
use crate::governance::alignment::{Alignment, PriorityRow};
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
    let mut one = overviews(db, std::slice::from_ref(ctx)).await?;
    Ok(one.pop().expect("one overview per product"))
}

/// The facts of one product read in the first round trip: they need nothing read before them.
type First = (
    (
        (
            (
                (
                    (
                        (Option<crate::sprint::Sprint>, Option<crate::sprint::Sprint>),
                        crate::governance::overrides::Overrides,
                    ),
                    Vec<PendingSignoff>,
                ),
                Vec<Unready>,
            ),
            Vec<OpenQuestion>,
        ),
        Vec<MetricBehind>,
    ),
    Alignment,
);

/// Each product's Overview, in order. The products' facts are read together, a round trip for
/// all of them per step (`Read::each_on`): the workspace home shows every product's, and one
/// product's alone took three round trips.
pub async fn overviews(db: &Db, ctxs: &[ProductCtx]) -> Result<Vec<Overview>> {
    let today = crate::strategy::today();
    let quarter = Quarter::of(today);
    let first = ctxs
        .iter()
        .map(|ctx| first_read(ctx, quarter))
        .collect::<Result<Vec<_>>>()?;
    let firsts = Read::each_on(first, db).await?;
    // Then what those name: the running sprint's burndown and the last closed one's retro.
    let second = ctxs
        .iter()
        .zip(&firsts)
        .map(|(ctx, ((((((sprints, _), _), _), _), _), _))| {
            let (running, last_closed) = sprints;
            let burndown = match running {
                Some(s) => crate::sprint::board::burndown_read(s.clone()).map(|b| Ok(Some(b))),
                None => Read::ready(None),
            };
            let sm = ctx.grants.roles.contains(&crate::auth::Role::Sm);
            let retro = match last_closed.clone().filter(|_| sm) {
                Some(s) => retro_missing_read(s).map(Ok),
                None => Read::ready(None),
            };
            burndown.and(retro)
        })
        .collect();
    let seconds = Read::each_on(second, db).await?;
    let mut out = Vec::with_capacity(ctxs.len());
    for ((ctx, first), second) in ctxs.iter().zip(firsts).zip(seconds) {
        out.push(assemble(db, ctx, today, quarter, first, second).await?);
    }
    Ok(out)
}

/// What one product's Overview reads first, each role's facts only when it is held.
fn first_read(ctx: &ProductCtx, quarter: Quarter) -> Result<Read<First>> {
    ctx.grants.require(Action::ViewBacklog)?;
    use crate::auth::Role;
    let roles = &ctx.grants.roles;
    let (pm, po) = (roles.contains(&Role::Pm), roles.contains(&Role::Po));
    Ok(crate::sprint::service::running_and_last_closed_read(ctx)?
        .and(crate::governance::overrides::list_read(ctx, quarter)?)
        .and(pending_signoffs_read(ctx)?)
        .and(when(po, unready_top_read(ctx)))
        .and(when(po, open_questions_read(ctx)))
        .and(when(pm, metrics_behind_read(ctx, quarter)))
        .and(crate::flow::alignment::quarter_read(ctx, quarter)))
}

/// One product's Overview from what was read for it.
async fn assemble(
    db: &Db,
    ctx: &ProductCtx,
    today: NaiveDate,
    quarter: Quarter,
    first: First,
    (burndown, retro_missing): (
        Option<crate::sprint::board::Burndown>,
        Option<(crate::ids::SprintId, String)>,
    ),
) -> Result<Overview> {
    let ((((((_, overrides), signoffs), unready), questions), metrics), a) = first;
    let now = Utc::now();
    let roles = &ctx.grants.roles;
    let sm = roles.contains(&crate::auth::Role::Sm);
    let sprint = burndown.and_then(|b| sprint_now(b, today));
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
        overrides: overrides.count,
        unready_top: unready,
        open_questions: questions,
        signoffs,
        metrics_behind: metrics,
        retro_missing,
        ..Signals::default()
    };
    if sm && ctx.product.cadence == "flow" {
        s.wip_over = crate::flow::board::board(db, ctx, None).await?.warnings;
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

/// `read` when the viewer holds the role it is for; else nothing, without asking.
fn when<T: Send + 'static>(held: bool, read: Read<Vec<T>>) -> Read<Vec<T>> {
    if held {
        read
    } else {
        Read::ready(Vec::new())
    }
}

/// Where the running sprint stands today, from its burndown.
fn sprint_now(b: crate::sprint::board::Burndown, today: NaiveDate) -> Option<SprintNow> {
    let (first, last) = b.sprint.dates()?;
    let workdays = crate::sprint::workdays(first, last);
    let day = workdays.iter().filter(|d| **d <= today).count().max(1);
    let (done, scope) = b.days.last().map_or((Points::ZERO, b.baseline), |d| {
        (d.scope - d.remaining, d.scope)
    });
    Some(SprintNow {
        id: b.sprint.id,
        name: b.sprint.name.clone(),
        goal: b.sprint.goal.clone(),
        day,
        days: workdays.len(),
        done,
        scope,
        end: last,
        remaining: b.days.iter().map(|d| d.remaining.as_f64()).collect(),
        ideal: b.days.iter().map(|d| d.ideal).collect(),
    })
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
fn unready_top_read(ctx: &ProductCtx) -> Read<Vec<Unready>> {
    let key = ctx.product.key.clone();
    crate::backlog::store::unready_top_read(ctx.product.id, 10).map(move |rows| {
        Ok(rows
            .into_iter()
            .map(|(n, title, reasons)| Unready {
                key: format!("{key}-{n}"),
                title,
                reasons,
            })
            .collect())
    })
}

fn open_questions_read(ctx: &ProductCtx) -> Read<Vec<OpenQuestion>> {
    let key = ctx.product.key.clone();
    Read::query(
        "SELECT i.number, q.body, q.asked_at FROM questions q JOIN items i ON i.id = q.item_id
         WHERE q.product_id = $1 AND q.answered_at IS NULL ORDER BY q.asked_at LIMIT 50",
        vec![ctx.product.id.into()],
        move |rows| {
            Ok(rows
                .all::<(i64, String, chrono::DateTime<Utc>)>()?
                .into_iter()
                .map(|(n, body, asked_at)| OpenQuestion {
                    key: format!("{key}-{n}"),
                    body,
                    asked_at,
                })
                .collect())
        },
    )
}

/// Sign-off requests still pending, and whether each waits for the viewer.
fn pending_signoffs_read(ctx: &ProductCtx) -> Result<Read<Vec<PendingSignoff>>> {
    let user_id = ctx.user_id;
    Ok(crate::roadmap::signoff::stakeholders_read(ctx)?
        .and(crate::roadmap::signoff::list_read(ctx)?)
        .map(move |(stakeholders, requests)| {
            let me = stakeholders
                .iter()
                .find(|s| s.user_id == user_id)
                .map(|s| s.name.clone());
            Ok(requests
                .into_iter()
                .filter(|r| r.status == "pending")
                .map(|r| PendingSignoff {
                    id: r.id,
                    waiting_for_me: me.as_ref().is_some_and(|m| r.waiting_for.contains(m)),
                    title: r.title,
                    waiting_for: r.waiting_for,
                })
                .collect())
        }))
}

/// Metrics of this quarter's objectives (or of none) whose latest value falls short of target.
fn metrics_behind_read(ctx: &ProductCtx, q: Quarter) -> Read<Vec<MetricBehind>> {
    type Row = (i64, String, String, String, f64, Option<f64>);
    Read::query(
        "SELECT m.id, m.name, m.unit, m.direction, m.target,
                (SELECT v.value FROM metric_values v WHERE v.metric_id = m.id ORDER BY v.measured_on DESC LIMIT 1)
         FROM metrics m LEFT JOIN objectives o ON o.id = m.objective_id
         WHERE m.product_id = $1 AND (o.id IS NULL OR o.quarter = $2) ORDER BY m.name",
        vec![ctx.product.id.into(), q.to_string().into()],
        |rows| {
            Ok(rows
                .all::<Row>()?
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
        },
    )
}

/// The last closed sprint, when nobody has opened its retrospective.
fn retro_missing_read(last: crate::sprint::Sprint) -> Read<Option<(crate::ids::SprintId, String)>> {
    Read::query(
        "SELECT EXISTS (SELECT 1 FROM retros WHERE sprint_id = $1)",
        vec![i64::from(last.id).into()],
        move |rows| {
            let (open,) = rows.one::<(bool,)>()?;
            Ok((!open).then_some((last.id, last.name)))
        },
    )
}
