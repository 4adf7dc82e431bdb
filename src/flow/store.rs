//! SQL for flow: the product's flow settings (a versioned settings group written through the one
//! guarded write), the open work of a board with when each card entered its column, and the
//! status histories the flow reports are computed from.

use chrono::{DateTime, Utc};

use super::metrics::History;
use super::{FlowSettings, FlowSettingsInput};
use crate::audit::{Change, Guarded, Load};
use crate::auth::store::User;
use crate::auth::Action;
use crate::db::Db;
use crate::error::Result;
use crate::points::Points;
use crate::workspace::ProductCtx;
use crate::{exec, on};

pub async fn settings(db: &Db, product_id: i64) -> Result<FlowSettings> {
    let mut r = db.reader().await?;
    FlowSettings::load(&mut r.conn(), product_id).await
}

/// Sets the cadence and the WIP limits (the PO or the SM), if still at `expected`.
pub async fn set_settings(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    expected: i64,
    input: &FlowSettingsInput,
) -> Result<FlowSettings> {
    ctx.grants.require(Action::SetCadence)?;
    let (mut w, new) = Guarded::<FlowSettings>::merging(db, ctx.product.id, expected, |_| {
        input.validate(expected + 1)
    })
    .await?;
    let n = exec!(&mut w.conn(), t => sqlx::query(
        "UPDATE products SET cadence = $1, wip_mode = $2, flow_wip_in_progress = $3, flow_wip_in_review = $4,
                flow_version = flow_version + 1
         WHERE id = $5 AND flow_version = $6")
        .bind(&new.cadence).bind(&new.wip_mode).bind(new.wip_in_progress).bind(new.wip_in_review)
        .bind(ctx.product.id).bind(expected));
    w.commit(
        n?,
        Change::by(actor, ctx, "product.flow", ("product", ctx.product.id)).after(&new),
    )
    .await?;
    Ok(new)
}

/// A card of the flow board as read.
#[derive(sqlx::FromRow)]
pub struct CardRow {
    pub id: crate::ids::ItemId,
    pub number: i64,
    pub title: String,
    pub kind: String,
    pub status: String,
    pub points: Option<Points>,
    pub initiative: Option<String>,
    /// When it entered its status: its latest status event.
    pub entered: Option<DateTime<Utc>>,
}

/// `$3`: a team whose members' items alone count, or NULL for the whole product.
const CARD_SQL: &str =
    "SELECT i.id, i.number, i.title, i.kind, i.status, i.points, ini.title AS initiative,
        (SELECT MAX(e.at) FROM item_status_events e WHERE e.item_id = i.id) AS entered
    FROM items i LEFT JOIN initiatives ini ON ini.id = i.initiative_id
    WHERE i.product_id = $1 AND i.status = $2
      AND ($3 IS NULL OR i.assignee_id IN (SELECT user_id FROM team_members WHERE team_id = $3))";

/// The cards in one column (of the product, or of one team's members): To do is the top of
/// the backlog (`limit` cards), the work in progress is all of it, Done holds what was
/// finished since `since`.
pub async fn column(
    db: &Db,
    product_id: i64,
    team: Option<i64>,
    status: &str,
    limit: i64,
    since: DateTime<Utc>,
) -> Result<Vec<CardRow>> {
    let mut r = db.reader().await?;
    let rows = if status == "done" {
        let sql = format!("{CARD_SQL} AND i.updated_at >= $4 ORDER BY i.updated_at DESC LIMIT $5");
        on!(&mut r.conn(), t => sqlx::query_as::<_, CardRow>(&sql)
            .bind(product_id).bind(status).bind(team).bind(since).bind(limit).fetch_all(&mut **t).await)?
    } else {
        let sql = format!("{CARD_SQL} ORDER BY i.rank LIMIT $4");
        on!(&mut r.conn(), t => sqlx::query_as::<_, CardRow>(&sql)
            .bind(product_id).bind(status).bind(team).bind(limit).fetch_all(&mut **t).await)?
    };
    Ok(rows)
}

/// How many items a status holds in all (of the product, or of one team's members).
pub async fn count(db: &Db, product_id: i64, team: Option<i64>, status: &str) -> Result<i64> {
    let mut r = db.reader().await?;
    Ok(on!(&mut r.conn(), t => sqlx::query_scalar(
        "SELECT COUNT(*) FROM items i WHERE i.product_id = $1 AND i.status = $2
           AND ($3 IS NULL OR i.assignee_id IN (SELECT user_id FROM team_members WHERE team_id = $3))")
        .bind(product_id).bind(status).bind(team).fetch_one(&mut **t).await)?)
}

pub use crate::backlog::wip::holders;

/// Which items a report reads: those of the product (or of a team's members, by assignee)
/// that are open, or were changed since `since`; only the finished ones with `done_only`.
pub async fn histories(
    db: &Db,
    ctx: &ProductCtx,
    team: Option<i64>,
    since: DateTime<Utc>,
    done_only: bool,
) -> Result<Vec<History>> {
    type Row = (i64, i64, String, Option<Points>, String, DateTime<Utc>);
    let mut r = db.reader().await?;
    let rows: Vec<Row> = on!(&mut r.conn(), t => sqlx::query_as(
        "SELECT i.id, i.number, i.title, i.points, e.status, e.at FROM items i JOIN item_status_events e ON e.item_id = i.id
         WHERE i.product_id = $1 AND (i.status <> 'done' OR i.updated_at >= $2)
           AND ($3 IS NULL OR i.assignee_id IN (SELECT user_id FROM team_members WHERE team_id = $3))
           AND ($4 = FALSE OR i.status = 'done')
         ORDER BY i.id, e.at, e.id")
        .bind(ctx.product.id).bind(since).bind(team).bind(done_only).fetch_all(&mut **t).await)?;
    let mut out: Vec<History> = Vec::new();
    let mut last = None;
    for (id, number, title, points, status, at) in rows {
        if last != Some(id) {
            out.push(History {
                key: format!("{}-{number}", ctx.product.key),
                title,
                points,
                events: Vec::new(),
            });
            last = Some(id);
        }
        if let Some(h) = out.last_mut() {
            h.events.push((status, at));
        }
    }
    Ok(out)
}

/// Items finished before `since` and still done, which the cumulative flow starts from.
pub async fn done_before(
    db: &Db,
    ctx: &ProductCtx,
    team: Option<i64>,
    since: DateTime<Utc>,
) -> Result<i64> {
    let mut r = db.reader().await?;
    Ok(on!(&mut r.conn(), t => sqlx::query_scalar(
        "SELECT COUNT(*) FROM items i WHERE i.product_id = $1 AND i.status = 'done' AND i.updated_at < $2
           AND ($3 IS NULL OR i.assignee_id IN (SELECT user_id FROM team_members WHERE team_id = $3))")
        .bind(ctx.product.id).bind(since).bind(team).fetch_one(&mut **t).await)?)
}
