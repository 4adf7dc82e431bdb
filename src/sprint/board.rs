//! The sprint board: columns by status with WIP limits, card moves, and the burndown's data.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;

use super::burndown::{self, Day, Span, StatusEvent};
use super::scope_items::{self, ScopeItem};
use super::service::{change, get, must_be_active};
use super::{store, team, Sprint};
use crate::audit;
use crate::auth::store::User;
use crate::auth::Action;
use crate::backlog::{self, store as items};
use crate::db::batch::Read;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::ids::SprintId;
use crate::points::Points;
use crate::workspace::ProductCtx;

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Column {
    pub status: String,
    pub title: String,
    /// The team's WIP limit for this column, if any.
    pub limit: Option<i64>,
    pub over_limit: bool,
    pub points: Points,
    pub cards: Vec<ScopeItem>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Board {
    pub sprint: Sprint,
    pub columns: Vec<Column>,
    /// Human warnings, e.g. a column over its WIP limit.
    pub warnings: Vec<String>,
}

pub fn columns(cards: Vec<ScopeItem>, limits: &team::WipLimits) -> (Vec<Column>, Vec<String>) {
    let mut warnings = Vec::new();
    let cols = backlog::STATUSES
        .iter()
        .map(|status| {
            let cards: Vec<ScopeItem> = cards
                .iter()
                .filter(|c| c.status == *status)
                .cloned()
                .collect();
            let limit = limits.of(status);
            let over_limit = limit.is_some_and(|l| cards.len() as i64 > l);
            let title = backlog::status_title(status).to_string();
            if let Some(l) = limit.filter(|_| over_limit) {
                warnings.push(format!(
                    "{title} holds {} cards, over its WIP limit of {l}",
                    cards.len()
                ));
            }
            Column {
                status: status.to_string(),
                points: cards.iter().map(|c| c.points).sum(),
                title,
                limit,
                over_limit,
                cards,
            }
        })
        .collect();
    (cols, warnings)
}

pub async fn board(db: &Db, ctx: &ProductCtx, id: SprintId) -> Result<Board> {
    let sprint = get(db, ctx, id).await?;
    Ok(board_read(sprint, &ctx.product.key).on(db).await?)
}

/// The board of `sprint` (read and allowed already) as a read that may share a round trip
/// with others: its cards and its team's WIP limits.
pub fn board_read(sprint: Sprint, product_key: &str) -> Read<Board> {
    scope_items::current_read(sprint.id, product_key)
        .and(team::wip_limits_read(sprint.team_id))
        .map(move |(cards, limits)| {
            let (columns, warnings) = columns(cards, &limits);
            Ok(Board {
                sprint,
                columns,
                warnings,
            })
        })
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Moved {
    pub key: String,
    pub status: String,
    pub warnings: Vec<String>,
}

/// Moves a card to another column of a running sprint.
pub async fn move_card(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    id: SprintId,
    key: &str,
    status: &str,
) -> Result<Moved> {
    ctx.grants.require(Action::ChangeStatus)?;
    let status = backlog::validate_status(status)?;
    let mut tx = db.begin().await?;
    let row = store::sprint(&mut tx.conn(), ctx.product.id, id).await?;
    must_be_active(&row, "moving cards")?;
    let item = items::row_in_product(&mut tx.conn(), ctx.product.id, &ctx.product.key, key)
        .await
        .map_err(|_| Error::invalid("item", format!("{key} is not in this backlog")))?;
    let in_sprint = scope_items::current(&mut tx.conn(), id, &ctx.product.key)
        .await?
        .iter()
        .any(|c| c.item_id == item.id);
    if !in_sprint {
        return Err(Error::invalid(
            "item",
            format!("{key} is not in {}", row.name),
        ));
    }
    if item.status != status {
        items::set_status(&mut tx, item.id, status).await?;
        audit::store::record(
            &mut tx,
            audit::Change {
                entity_type: "item",
                entity_id: item.id.0,
                ..change(
                    ctx,
                    actor,
                    "item.status",
                    item.id.0,
                    Some(json!({"status": item.status})),
                    Some(json!({"key": key, "status": status, "sprint": row.name})),
                )
            },
        )
        .await?;
        let change = crate::notify::hooks::ItemChange {
            id: item.id,
            key,
            title: &item.title,
            what: format!("status → {}", status.title()),
            text: None,
            assignee: None,
            data: json!({"status": status, "sprint": row.name}),
        };
        crate::notify::hooks::item_changed(&mut tx, ctx, actor, change).await?;
    }
    tx.commit().await?;
    let b = board(db, ctx, id).await?;
    Ok(Moved {
        key: key.to_string(),
        status: status.to_string(),
        warnings: b.warnings,
    })
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Burndown {
    pub sprint: Sprint,
    pub baseline: Points,
    pub days: Vec<Day>,
}

pub async fn burndown(db: &Db, ctx: &ProductCtx, id: SprintId) -> Result<Burndown> {
    let sprint = get(db, ctx, id).await?;
    Ok(burndown_read(sprint).on(db).await?)
}

/// The burndown of `sprint` (read and allowed already) as a read that may share a round trip
/// with others: its scope's spans and their items' status changes.
pub fn burndown_read(sprint: Sprint) -> Read<Burndown> {
    let Some(baseline) = sprint.figures.as_ref().map(|f| f.committed) else {
        return Read::ready(Burndown {
            sprint,
            baseline: Points::ZERO,
            days: Vec::new(),
        });
    };
    type SpanRow = (i64, Points, DateTime<Utc>, Option<DateTime<Utc>>, bool);
    let id = i64::from(sprint.id);
    Read::query(
        "SELECT item_id, points, added_at, removed_at, in_baseline FROM sprint_items WHERE sprint_id = $1",
        vec![id.into()],
        |rows| rows.all::<SpanRow>(),
    )
    .and(Read::query(
        "SELECT e.item_id, e.at, e.status FROM item_status_events e
         WHERE e.item_id IN (SELECT item_id FROM sprint_items WHERE sprint_id = $1) ORDER BY e.at",
        vec![id.into()],
        |rows| rows.all::<(i64, DateTime<Utc>, String)>(),
    ))
    .map(move |(spans, events)| {
        let spans: Vec<Span> = spans
            .into_iter()
            .map(|(item_id, points, added, removed, in_baseline)| Span {
                item_id,
                points,
                added,
                removed,
                in_baseline,
            })
            .collect();
        let events: Vec<StatusEvent> = events
            .into_iter()
            .map(|(item_id, at, s)| StatusEvent {
                item_id,
                at,
                done: s == "done",
            })
            .collect();
        let today = crate::db::now().date_naive();
        // A sprint imported without dates has no days to burn down over.
        let days = match sprint.dates() {
            Some((start, end)) => burndown::compute(start, end, today, baseline, &spans, &events),
            None => Vec::new(),
        };
        Ok(Burndown {
            sprint,
            baseline,
            days,
        })
    })
}

/// The burndown as an SVG chart: remaining, ideal and scope, with scope changes marked.
pub fn burndown_svg(b: &Burndown, canvas: crate::chart::Canvas) -> String {
    let (start, end) = match b.sprint.dates() {
        Some(dates) if !b.days.is_empty() => dates,
        _ => return crate::chart::burndown(canvas, &format!("{} burndown", b.sprint.name), &[]),
    };
    let total = (end - start).num_days().max(1) as f64;
    let mut points: Vec<crate::chart::BurnPoint> = b
        .days
        .iter()
        .map(|d| crate::chart::BurnPoint {
            label: d.date.format("%d %b").to_string(),
            remaining: Some(d.remaining.as_f64()),
            ideal: d.ideal,
            scope: Some(d.scope.as_f64()),
            change: match (d.added, d.removed) {
                (Points::ZERO, Points::ZERO) => None,
                (a, Points::ZERO) => Some(format!("+{a}")),
                (Points::ZERO, r) => Some(format!("−{r}")),
                (a, r) => Some(format!("+{a} −{r}")),
            },
        })
        .collect();
    // The rest of the sprint carries the ideal line, so the chart always spans the sprint.
    let mut day = b.days.last().map_or(start, |d| d.date);
    while day < end {
        day = day.succ_opt().unwrap_or(end);
        let i = (day - start).num_days() as f64;
        points.push(crate::chart::BurnPoint {
            label: day.format("%d %b").to_string(),
            remaining: None,
            ideal: b.baseline.as_f64() * (1.0 - i / total),
            scope: None,
            change: None,
        });
    }
    crate::chart::burndown(canvas, &format!("{} burndown", b.sprint.name), &points)
}
