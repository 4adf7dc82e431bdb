//! The flow board: the product's open work in columns by status, each card with its age in
//! column (amber past the 85th percentile of past cycle times), and card moves under the WIP
//! limits: over a limit a move warns, or is refused in block mode unless the Product Owner
//! overrides it with a reason, which the audit log keeps.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use serde_json::json;

use super::metrics;
use super::teams::TeamCadence;
use super::{check_wip, store, FlowSettings, WipCheck};
use crate::audit::Change;
use crate::auth::store::User;
use crate::auth::Action;
use crate::backlog::{self, store as items};
use crate::db::Db;
use crate::error::{Error, Result};
use crate::points::Points;
use crate::workspace::ProductCtx;

/// How many To do cards the board shows: the top of the backlog.
pub const TODO_SHOWN: i64 = 30;
/// How far back the Done column and the cycle times behind the amber mark look.
pub const DONE_DAYS: i64 = 14;
pub const CYCLE_DAYS: i64 = 90;

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[schema(as = FlowCard)]
pub struct Card {
    #[serde(skip)]
    pub id: crate::ids::ItemId,
    pub key: String,
    pub title: String,
    pub kind: String,
    pub status: String,
    pub points: Option<Points>,
    /// The initiative it serves, if any.
    pub initiative: Option<String>,
    /// Days in the column it is in now.
    pub age_days: f64,
    /// In progress or In review longer than the 85th percentile of past cycle times.
    pub aging: bool,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[schema(as = FlowColumn)]
pub struct Column {
    pub status: String,
    pub title: String,
    pub limit: Option<i64>,
    /// How many items the column holds in all (To do shows only the top of the backlog).
    pub count: i64,
    pub over_limit: bool,
    pub cards: Vec<Card>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct FlowBoard {
    pub product: String,
    pub settings: FlowSettings,
    /// The team the board is narrowed to (the items assigned to its members), with the cadence
    /// it works by; its columns then show the team's own WIP limits (the Teams page), since
    /// the product's limits hold for the product's whole column.
    pub team: Option<TeamCadence>,
    /// The 85th percentile of cycle times of the last 90 days, in days.
    pub cycle_p85_days: Option<f64>,
    pub columns: Vec<Column>,
    pub warnings: Vec<String>,
}

fn card(ctx: &ProductCtx, r: store::CardRow, now: DateTime<Utc>, p85: Option<f64>) -> Card {
    let age_days = r
        .entered
        .map_or(0.0, |t| (now - t).num_seconds().max(0) as f64 / 86_400.0);
    let wip = matches!(r.status.as_str(), "in_progress" | "in_review");
    Card {
        id: r.id,
        key: format!("{}-{}", ctx.product.key, r.number),
        aging: wip && super::is_aging(age_days, p85),
        title: r.title,
        kind: r.kind,
        status: r.status,
        points: r.points,
        initiative: r.initiative,
        age_days,
    }
}

/// The board of a product, or of one team's members, whatever its cadence (a sprint product
/// is told it is one).
pub async fn board(db: &Db, ctx: &ProductCtx, team: Option<i64>) -> Result<FlowBoard> {
    ctx.grants.require(Action::ViewBacklog)?;
    let settings = store::settings(db, ctx.product.id).await?;
    let (team, team_limits) = match team {
        Some(t) => (
            Some(super::teams::cadence_of(db, ctx, t).await?),
            Some(crate::sprint::team::wip_limits(db, t).await?),
        ),
        None => (None, None),
    };
    let team_id = team.as_ref().map(|t| t.team_id);
    let now = super::now();
    let finished =
        store::histories(db, ctx, team_id, now - Duration::days(CYCLE_DAYS), true).await?;
    let p85 = metrics::percentiles(&metrics::cycles(&finished)).p85;
    let mut columns = Vec::new();
    let mut warnings = Vec::new();
    for status in backlog::STATUSES {
        let shown = if status == "todo" { TODO_SHOWN } else { 500 };
        let rows = store::column(
            db,
            ctx.product.id,
            team_id,
            status,
            shown,
            now - Duration::days(DONE_DAYS),
        )
        .await?;
        let count = match status {
            "todo" => store::count(db, ctx.product.id, team_id, status).await?,
            _ => rows.len() as i64,
        };
        let limit = match &team_limits {
            Some(l) if super::LIMITED.contains(&status) => l.of(status),
            Some(_) => None,
            None => settings.limit(status),
        };
        let over_limit = limit.is_some_and(|l| count > l);
        let title = backlog::status_title(status).to_string();
        if let Some(l) = limit.filter(|_| over_limit) {
            warnings.push(format!(
                "{title} holds {count} cards, over its WIP limit of {l}"
            ));
        }
        columns.push(Column {
            status: status.to_string(),
            title,
            limit,
            count,
            over_limit,
            cards: rows.into_iter().map(|r| card(ctx, r, now, p85)).collect(),
        });
    }
    Ok(FlowBoard {
        product: ctx.product.key.clone(),
        settings,
        team,
        cycle_p85_days: p85,
        columns,
        warnings,
    })
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[schema(as = FlowMoved)]
pub struct Moved {
    pub key: String,
    pub status: String,
    /// WIP warnings the move raised.
    pub warnings: Vec<String>,
    /// The Product Owner's reason, when the move went past a blocking limit.
    pub overridden: Option<String>,
}

/// Moves a card of a flow product, or of a flow team's board, to another column, under its WIP
/// limits (the team's own on a team's board, counted among its members' cards). The limit is
/// checked inside the transaction, so two moves at once cannot both take the last place.
pub async fn move_card(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    team: Option<i64>,
    key: &str,
    status: &str,
    override_reason: Option<&str>,
) -> Result<Moved> {
    ctx.grants.require(Action::ChangeStatus)?;
    let status = backlog::validate_status(status)?;
    let reason = match override_reason.map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) => {
            ctx.grants.require(Action::OverrideWip)?;
            crate::text::check("override_reason", r)?;
            Some(backlog::validate_text("override_reason", r, 1_000)?)
        }
        None => None,
    };
    // A team's board: its cadence decides, and its own limits hold (the product's WIP mode).
    let team = match team {
        Some(t) => Some((
            super::teams::cadence_of(db, ctx, t).await?,
            crate::sprint::team::wip_limits(db, t).await?,
        )),
        None => None,
    };
    let mut tx = db.begin().await?;
    items::lock_product(&mut tx, ctx.product.id).await?;
    let mut settings = {
        use crate::audit::Load;
        FlowSettings::load(&mut tx.conn(), ctx.product.id).await?
    };
    match &team {
        Some((t, _)) if !t.is_flow() => {
            return Err(Error::Conflict(format!(
                "{} runs in sprints: its cards move on the sprint board (the PO or the SM may set its cadence to flow on the Teams page)",
                t.team
            )))
        }
        Some((_, limits)) => {
            settings.wip_in_progress = limits.of("in_progress");
            settings.wip_in_review = limits.of("in_review");
        }
        None if !settings.is_flow() => {
            return Err(Error::Conflict(format!(
                "{} runs in sprints: its cards move on the sprint board (the PO or the SM may set its cadence to flow)",
                ctx.product.key
            )))
        }
        None => {}
    }
    let item = items::row_in_product(&mut tx.conn(), ctx.product.id, &ctx.product.key, key)
        .await
        .map_err(|_| Error::invalid("item", format!("{key} is not in this backlog")))?;
    let mut warnings = Vec::new();
    let mut overridden = None;
    if item.status != status {
        let holders = store::holders(
            &mut tx.conn(),
            ctx.product.id,
            &ctx.product.key,
            status.as_str(),
            item.id,
            team.as_ref().map(|(t, _)| t.team_id),
        )
        .await?;
        match check_wip(&settings, status.as_str(), &holders) {
            WipCheck::Fits => {}
            WipCheck::Warn(w) => warnings.push(w),
            WipCheck::Block(why) => match &reason {
                None => return Err(Error::Conflict(why)),
                Some(r) => {
                    Change::by(actor, ctx, "flow.wip_override", ("item", item.id))
                        .before(&json!({"status": item.status, "held_by": holders}))
                        .after(&json!({"key": key, "status": status, "limit": settings.limit(status.as_str())}))
                        .reason(Some(r))
                        .record(&mut tx)
                        .await?;
                    overridden = Some(r.clone());
                }
            },
        }
        items::set_status(&mut tx, item.id, status).await?;
        Change::by(actor, ctx, "item.status", ("item", item.id))
            .before(&json!({"status": item.status}))
            .after(&json!({"key": key, "status": status}))
            .record(&mut tx)
            .await?;
        let change = crate::notify::hooks::ItemChange {
            id: item.id,
            key,
            title: &item.title,
            what: format!("status → {}", status.title()),
            text: None,
            assignee: None,
            data: json!({"status": status, "flow": true}),
        };
        crate::notify::hooks::item_changed(&mut tx, ctx, actor, change).await?;
    }
    tx.commit().await?;
    Ok(Moved {
        key: key.to_string(),
        status: status.to_string(),
        warnings,
        overridden,
    })
}
