//! Sprint actions: schedule, plan, start, move cards, close. The API, pages and CLI call these.

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;

use super::capacity::{self, Availability, Candidate, Capacity, Velocity};
use super::scope_items::{self, readiness_messages, ScopeItem};
use super::store::{self, NewSprint, SprintRow};
use super::{team, Sprint};
use crate::audit::{self, Change};
use crate::auth::store::User;
use crate::auth::Action;
use crate::db::batch::Read;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::ids::SprintId;
use crate::points::Points;
use crate::workspace::ProductCtx;

pub(super) fn change<'a>(
    ctx: &ProductCtx,
    actor: &User,
    action: &'a str,
    id: impl Into<i64>,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> Change<'a> {
    Change {
        workspace_id: Some(ctx.workspace.id),
        actor_id: Some(actor.id),
        action,
        entity_type: "sprint",
        entity_id: id.into(),
        before,
        after,
        reason: None,
    }
}

pub async fn get(db: &Db, ctx: &ProductCtx, id: SprintId) -> Result<Sprint> {
    ctx.grants.require(Action::ViewBacklog)?;
    Ok(
        store::sprint(&mut db.reader().await?.conn(), ctx.product.id, id)
            .await?
            .into_sprint(&ctx.product.key),
    )
}

pub async fn list(db: &Db, ctx: &ProductCtx, team: Option<i64>) -> Result<Vec<Sprint>> {
    ctx.grants.require(Action::ViewBacklog)?;
    Ok(store::list(db, ctx.product.id, team)
        .await?
        .into_iter()
        .map(|r| r.into_sprint(&ctx.product.key))
        .collect())
}

/// The running sprint and the last closed one ([`store::running_and_last_closed_read`]), as a
/// read that may share a round trip with others.
pub fn running_and_last_closed_read(
    ctx: &ProductCtx,
) -> Result<Read<(Option<Sprint>, Option<Sprint>)>> {
    ctx.grants.require(Action::ViewBacklog)?;
    let key = ctx.product.key.clone();
    Ok(
        store::running_and_last_closed_read(ctx.product.id).map(move |(running, closed)| {
            Ok((
                running.map(|r| r.into_sprint(&key)),
                closed.map(|r| r.into_sprint(&key)),
            ))
        }),
    )
}

pub async fn stale(db: &Db, ctx: &ProductCtx, id: SprintId) -> Error {
    match get(db, ctx, id).await {
        Ok(s) => Error::Stale {
            message: format!(
                "{} was changed by someone else (now version {}); reload and decide again",
                s.name, s.version
            ),
            etag: Some(format!("\"{}\"", s.version)),
            current: Box::new(json!(s)),
        },
        Err(e) => e,
    }
}

pub struct Schedule {
    pub team_id: i64,
    pub name: String,
    pub goal: String,
    pub start: String,
    pub end: String,
}

/// Validated dates, refusing spans other than 1–4 weeks and overlaps within the team.
async fn checked_dates(
    tx: &mut crate::db::Tx,
    team_id: i64,
    start: &str,
    end: &str,
    except: SprintId,
) -> Result<(NaiveDate, NaiveDate)> {
    let start = super::parse_date("start_date", start)?;
    let end = super::parse_date("end_date", end)?;
    super::validate_span(start, end)?;
    store::lock_team(tx, team_id).await?;
    if let Some((name, s, e)) = store::overlapping(tx, team_id, start, end, except).await? {
        return Err(Error::Conflict(format!(
            "the team already has {name} from {s} to {e}; sprints of one team cannot overlap"
        )));
    }
    Ok((start, end))
}

pub async fn create(db: &Db, actor: &User, ctx: &ProductCtx, s: Schedule) -> Result<Sprint> {
    ctx.grants.require(Action::PlanSprint)?;
    let name = super::validate_name(&s.name)?;
    let goal = super::validate_goal(&s.goal)?;
    if !team::works_on(db, s.team_id, ctx.product.id).await? {
        return Err(Error::invalid(
            "team",
            "that team does not work on this product; add the product to the team first",
        ));
    }
    let mut tx = db.begin().await?;
    let (start, end) = checked_dates(&mut tx, s.team_id, &s.start, &s.end, SprintId(0)).await?;
    let new = NewSprint {
        product_id: ctx.product.id,
        team_id: s.team_id,
        name: &name,
        goal: &goal,
        start: Some(start),
        end: Some(end),
    };
    let id = store::insert(&mut tx, &new).await?;
    let after =
        json!({"name": name, "goal": goal, "start": start, "end": end, "team_id": s.team_id});
    audit::store::record(
        &mut tx,
        change(ctx, actor, "sprint.create", id, None, Some(after)),
    )
    .await?;
    crate::notify::hooks::sprint_created(&mut tx, ctx, id, s.team_id).await?;
    tx.commit().await?;
    get(db, ctx, id).await
}

pub struct SprintPatch {
    pub name: Option<String>,
    pub goal: Option<String>,
    pub start: Option<String>,
    pub end: Option<String>,
}

pub async fn update(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    id: SprintId,
    version: i64,
    p: SprintPatch,
) -> Result<Sprint> {
    ctx.grants.require(Action::PlanSprint)?;
    let mut tx = db.begin().await?;
    let row = store::sprint(&mut tx.conn(), ctx.product.id, id).await?;
    if row.state == "closed" {
        return Err(Error::Conflict(format!(
            "{} is closed and cannot change",
            row.name
        )));
    }
    let name = super::validate_name(p.name.as_deref().unwrap_or(&row.name))?;
    let goal = super::validate_goal(p.goal.as_deref().unwrap_or(&row.goal))?;
    let dates_change = p.start.is_some() || p.end.is_some();
    if dates_change && row.state != "planned" {
        return Err(Error::Conflict(format!(
            "{} has started; its dates are fixed",
            row.name
        )));
    }
    // A sprint imported without dates keeps none until both are given.
    let start = p.start.as_deref().or(row.start_date.as_deref());
    let end = p.end.as_deref().or(row.end_date.as_deref());
    let dates = match (start, end) {
        (None, None) => None,
        (s, e) => Some(
            checked_dates(
                &mut tx,
                row.team_id,
                s.unwrap_or_default(),
                e.unwrap_or_default(),
                row.id,
            )
            .await?,
        ),
    };
    let (start, end) = (dates.map(|d| d.0), dates.map(|d| d.1));
    if !store::update(&mut tx, id, version, &name, &goal, dates).await? {
        drop(tx);
        return Err(stale(db, ctx, id).await);
    }
    let before =
        json!({"name": row.name, "goal": row.goal, "start": row.start_date, "end": row.end_date});
    let after = json!({"name": name, "goal": goal, "start": start, "end": end});
    audit::store::record(
        &mut tx,
        change(ctx, actor, "sprint.update", id, Some(before), Some(after)),
    )
    .await?;
    tx.commit().await?;
    get(db, ctx, id).await
}

/// A backlog item the planner may still commit.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PlanningCandidate {
    #[serde(skip)]
    pub id: crate::ids::ItemId,
    pub key: String,
    pub title: String,
    pub kind: String,
    pub points: Option<Points>,
    pub ready: bool,
    /// Why it is not ready.
    pub reasons: Vec<String>,
    /// In the forecast: fits the capacity left, in backlog order.
    pub fits: bool,
}

/// Everything the planning view shows.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Planning {
    pub sprint: Sprint,
    pub workdays: usize,
    pub availability: Vec<Availability>,
    pub velocity: Option<Velocity>,
    pub capacity: Capacity,
    pub committed_points: Points,
    pub committed: Vec<ScopeItem>,
    /// Committed items that are not ready (committed by exception) with their reasons.
    pub not_ready: Vec<NotReady>,
    /// The top of the backlog not yet in a sprint, with the forecast.
    pub candidates: Vec<PlanningCandidate>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct NotReady {
    pub key: String,
    pub reasons: Vec<String>,
    pub exception: Option<String>,
}

/// How many backlog items the forecast looks at.
pub const CANDIDATES: i64 = 50;

/// A sprint's velocity, members' availability and the capacity they give.
pub struct Capacities {
    pub workdays: usize,
    pub velocity: Option<Velocity>,
    pub availability: Vec<Availability>,
    pub capacity: Capacity,
}

/// What a sprint's capacity is made of: its team's velocity window with the sprints in it,
/// and its members' availability; [`CapacityInputs::of`] adds the sprint's workdays.
pub struct CapacityInputs {
    window: i64,
    history: Vec<capacity::Delivered>,
    availability: Vec<Availability>,
}

/// The inputs of sprint `id`'s capacity in one round trip (it was three), by the sprint's id,
/// so that they may share it with the sprint's own row.
pub fn capacity_inputs_read(id: SprintId) -> Read<CapacityInputs> {
    store::delivered_before_read(id)
        .and(store::availability_read(id))
        .map(|((window, history), availability)| {
            Ok(CapacityInputs {
                window,
                history,
                availability,
            })
        })
}

impl CapacityInputs {
    /// The capacity of `row`, the sprint these were read for, from its team's velocity and its
    /// members' availability over its workdays.
    pub fn of(self, row: &SprintRow) -> Capacities {
        let workdays = row
            .dates()
            .map_or_else(Vec::new, |(s, e)| super::workdays(s, e));
        let velocity = capacity::velocity(&self.history, self.window as usize);
        let mut availability = self.availability;
        for a in &mut availability {
            a.compute(&workdays);
        }
        let capacity = capacity::capacity(velocity.as_ref(), &availability);
        Capacities {
            workdays: workdays.len(),
            velocity,
            availability,
            capacity,
        }
    }
}

pub async fn planning(db: &Db, ctx: &ProductCtx, id: SprintId) -> Result<Planning> {
    ctx.grants.require(Action::ViewBacklog)?;
    // The sprint, what its capacity is made of, its scope and the candidates in one round trip
    // (it was three); a sprint of another product is not found, and what was read with it unused.
    let (((row, inputs), committed), mut candidates) = store::sprint_read(ctx.product.id, id)
        .and(capacity_inputs_read(id))
        .and(scope_items::current_read(id, &ctx.product.key))
        .and(candidates_read(ctx, CANDIDATES))
        .on(db)
        .await?;
    let row = row.ok_or(Error::NotFound)?;
    let caps = inputs.of(&row);
    let Capacities {
        workdays,
        velocity,
        availability,
        capacity,
    } = caps;
    let committed_points: Points = committed.iter().map(|s| s.points).sum();
    let not_ready = committed
        .iter()
        .filter(|s| !s.ready)
        .map(|s| NotReady {
            key: s.key.clone(),
            reasons: s.unready_reasons(),
            exception: s.exception.clone(),
        })
        .collect();
    let fits = capacity::forecast(
        (capacity.points - committed_points.as_f64()).max(0.0),
        &candidates
            .iter()
            .map(|c| Candidate {
                points: c.points,
                ready: c.ready,
            })
            .collect::<Vec<_>>(),
    );
    for (c, f) in candidates.iter_mut().zip(fits) {
        c.fits = f;
    }
    Ok(Planning {
        sprint: row.into_sprint(&ctx.product.key),
        workdays,
        availability,
        velocity,
        capacity,
        committed_points,
        committed,
        not_ready,
        candidates,
    })
}

/// The top of the backlog not yet in an open sprint, with why each is not ready, as a read
/// that may share a round trip with others.
pub fn candidates_read(ctx: &ProductCtx, limit: i64) -> Read<Vec<PlanningCandidate>> {
    type Row = (
        crate::ids::ItemId,
        i64,
        String,
        String,
        Option<Points>,
        bool,
        String,
    );
    let product_key = ctx.product.key.clone();
    Read::query(
        "SELECT i.id, i.number, i.title, i.kind, i.points, i.ready, i.readiness FROM items i
         WHERE i.product_id = $1 AND i.status <> 'done' AND NOT EXISTS (
            SELECT 1 FROM sprint_items si JOIN sprints s ON s.id = si.sprint_id
            WHERE si.item_id = i.id AND si.removed_at IS NULL AND s.state <> 'closed')
         ORDER BY i.rank LIMIT $2",
        vec![ctx.product.id.into(), limit.into()],
        move |rows| {
            Ok(rows
                .all::<Row>()?
                .into_iter()
                .map(
                    |(id, n, title, kind, points, ready, readiness)| PlanningCandidate {
                        id,
                        key: format!("{product_key}-{n}"),
                        title,
                        kind,
                        points,
                        ready,
                        reasons: readiness_messages(&readiness),
                        fits: false,
                    },
                )
                .collect())
        },
    )
}

/// Sets one member's focus factor and days off for a sprint that has not closed.
pub async fn set_availability(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    id: SprintId,
    user_id: i64,
    focus_pct: i64,
    days_off: &[String],
) -> Result<()> {
    ctx.grants.require(Action::ManageTeam)?;
    if !(0..=100).contains(&focus_pct) {
        return Err(Error::invalid("focus_pct", "a percentage from 0 to 100"));
    }
    let row = store::sprint(&mut db.reader().await?.conn(), ctx.product.id, id).await?;
    if row.state == "closed" {
        return Err(Error::Conflict(format!(
            "{} is closed; its availability is history",
            row.name
        )));
    }
    let mut days = Vec::new();
    for d in days_off.iter().map(|d| d.trim()).filter(|d| !d.is_empty()) {
        let day = super::parse_date("days_off", d)?;
        let Some((start, end)) = row.dates() else {
            return Err(Error::invalid(
                "days_off",
                format!("{} has no dates yet; give it dates first", row.name),
            ));
        };
        if day < start || day > end {
            return Err(Error::invalid(
                "days_off",
                format!("{day} is outside the sprint ({start} to {end})"),
            ));
        }
        days.push(day);
    }
    days.sort();
    days.dedup();
    let mut tx = db.begin().await?;
    if !store::set_availability(&mut tx, id, user_id, focus_pct, &days).await? {
        return Err(Error::invalid(
            "user",
            "that person is not on this sprint's team",
        ));
    }
    let after = json!({"user_id": user_id, "focus_pct": focus_pct, "days_off": days});
    audit::store::record(
        &mut tx,
        change(ctx, actor, "sprint.availability", id, None, Some(after)),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Starts a planned sprint: the scope committed now becomes the baseline.
pub async fn start(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    id: SprintId,
    version: i64,
) -> Result<Sprint> {
    ctx.grants.require(Action::StartSprint)?;
    let mut tx = db.begin().await?;
    let row = store::sprint(&mut tx.conn(), ctx.product.id, id).await?;
    if row.state != "planned" {
        return Err(Error::Conflict(format!(
            "{} is {}; only a planned sprint starts",
            row.name, row.state
        )));
    }
    if row.version != version {
        drop(tx);
        return Err(stale(db, ctx, id).await);
    }
    if let Some(active) = store::active_of_team(&mut tx, row.team_id).await? {
        return Err(Error::Conflict(format!(
            "the team is still running {active}; close it first"
        )));
    }
    let baseline = store::start(&mut tx, id, version, Some(crate::db::now())).await?;
    let after = json!({"baseline_points": baseline});
    audit::store::record(
        &mut tx,
        change(ctx, actor, "sprint.start", id, None, Some(after.clone())),
    )
    .await?;
    let title = format!("{} started {} with {baseline} points", actor.name, row.name);
    crate::notify::hooks::sprint_read(ctx, actor, id, "sprint.started", title, after)
        .run(&mut tx.conn())
        .await?;
    tx.commit().await?;
    get(db, ctx, id).await
}

pub(super) fn must_be_active(row: &SprintRow, doing: &str) -> Result<()> {
    match row.state.as_str() {
        "active" => Ok(()),
        "planned" => Err(Error::Conflict(format!(
            "{} has not started; {doing} once it runs",
            row.name
        ))),
        _ => Err(Error::Conflict(format!(
            "{} is closed; {doing} is no longer possible",
            row.name
        ))),
    }
}
