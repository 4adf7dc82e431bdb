//! Alignment without sprints (E11, G4): a month or a quarter scored over the points of the items
//! finished in it (completed) and the items started in it (committed), with the formula a
//! sprint uses. It lives with governance, below the flow room, because the team-shape advisor
//! reads a flow product's monthly trend as it reads a sprint product's sprints.

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::alignment::{build, Alignment};
use super::store::{self as gov, SprintItem};
use crate::db::batch::Read;
use crate::db::Db;
use crate::error::Result;
use crate::points::Points;
use crate::strategy::Quarter;
use crate::workspace::ProductCtx;

/// The first day of the month after `d`'s.
pub fn next_month(d: NaiveDate) -> NaiveDate {
    let (y, m) = if d.month() == 12 {
        (d.year() + 1, 1)
    } else {
        (d.year(), d.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(d)
}

fn midnight(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

type Row = (
    i64,
    i64,
    String,
    Option<Points>,
    Option<i64>,
    String,
    DateTime<Utc>,
);

/// What a period's report is computed from: the status events of the items started or
/// finished in its window (all their events, in order), the quarter's priorities and the
/// unaligned allowance.
struct Facts {
    rows: Vec<Row>,
    priorities: Vec<(i64, String)>,
    allowance: i64,
}

/// [`Facts`] of the window from `from` (included) to `to` (excluded), in one round trip.
fn facts_read(
    product_id: i64,
    quarter: Quarter,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    team: Option<i64>,
) -> Read<Facts> {
    Read::query(
        "SELECT i.id, i.number, i.title, i.points, COALESCE(pi.priority_id, ppi.priority_id), e.status, e.at
         FROM items i JOIN item_status_events e ON e.item_id = i.id
         LEFT JOIN items par ON par.id = i.parent_id
         LEFT JOIN priority_initiatives pi ON pi.initiative_id = i.initiative_id AND pi.quarter = $2
         LEFT JOIN priority_initiatives ppi ON i.initiative_id IS NULL AND ppi.initiative_id = par.initiative_id AND ppi.quarter = $2
         WHERE i.product_id = $1 AND i.id IN (
             SELECT x.item_id FROM item_status_events x JOIN items y ON y.id = x.item_id
             WHERE y.product_id = $1 AND x.at >= $3 AND x.at < $4 AND x.status IN ('in_progress', 'done'))
           AND ($5 IS NULL OR i.assignee_id IN (SELECT user_id FROM team_members WHERE team_id = $5))
         ORDER BY i.id, e.at, e.id",
        vec![
            product_id.into(),
            quarter.to_string().into(),
            from.into(),
            to.into(),
            team.into(),
        ],
        |rows| rows.all::<Row>(),
    )
    .and(gov::priorities_read(product_id, quarter))
    .and(gov::settings_read(product_id))
    .map(|((rows, priorities), settings)| {
        Ok(Facts {
            rows,
            priorities,
            allowance: settings.allowance_pct,
        })
    })
}

/// The report of the window from `from` to `to`, from facts read over that window or a wider
/// one: an item counts when it started or finished inside the window, whatever else was read.
fn score(
    f: &Facts,
    quarter: Quarter,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    key: &str,
) -> Alignment {
    let inside = |t: Option<DateTime<Utc>>| t.is_some_and(|t| t >= from && t < to);
    let items: Vec<SprintItem> = f
        .rows
        .chunk_by(|a, b| a.0 == b.0)
        .filter_map(|ev| {
            let started = ev.iter().find(|e| e.5 == "in_progress").map(|e| e.6);
            let finished = match ev.last() {
                Some(last) if last.5 == "done" => ev
                    .iter()
                    .rev()
                    .take_while(|e| e.5 == "done")
                    .last()
                    .map(|e| e.6),
                _ => None,
            };
            let (committed, done) = (inside(started), inside(finished));
            let (_, number, title, points, priority_id, _, _) = ev[0].clone();
            (committed || done).then_some(SprintItem {
                sprint_id: 0,
                sprint_name: String::new(),
                number,
                title,
                points: points.unwrap_or_default(),
                done,
                priority_id,
                frozen: None,
                finished_only: done && !committed,
            })
        })
        .collect();
    let mut a = build(quarter, &f.priorities, &items, f.allowance, key);
    a.flow = true;
    a
}

/// The report over the items started or finished from `from` (included) to `to` (excluded),
/// with the priorities of `quarter` (the quarter of the period); with `team`, only the items
/// assigned to that team's members (as the flow reports narrow to a team).
pub async fn period(
    db: &Db,
    ctx: &ProductCtx,
    quarter: Quarter,
    (from, to): (NaiveDate, NaiveDate),
    team: Option<i64>,
) -> Result<Alignment> {
    let window = (midnight(from), midnight(to));
    let f = facts_read(ctx.product.id, quarter, window, team)
        .on(db)
        .await?;
    Ok(score(&f, quarter, window, &ctx.product.key))
}

/// A flow quarter's report with its months' trend ([`month_trend`]), from one read of the
/// quarter: each month's items are among the quarter's.
pub async fn quarter(
    db: &Db,
    ctx: &ProductCtx,
    q: Quarter,
    team: Option<i64>,
) -> Result<Alignment> {
    Ok(quarter_read(ctx, q, team).on(db).await?)
}

/// [`quarter`] as a read, to share a round trip with others (the Overview's, of every product
/// on the workspace home).
pub fn quarter_read(ctx: &ProductCtx, q: Quarter, team: Option<i64>) -> Read<Alignment> {
    let window = (midnight(q.start()), midnight(q.next().start()));
    let key = ctx.product.key.clone();
    facts_read(ctx.product.id, q, window, team).map(move |f| {
        let mut a = score(&f, q, window, &key);
        a.trend = trend(&f, q, &key);
        Ok(a)
    })
}

/// Each month of `q` up to today with its completed-points score, as `[month, score]` pairs:
/// a flow quarter's trend, as a sprint quarter's is its sprints'.
pub async fn month_trend(
    db: &Db,
    ctx: &ProductCtx,
    q: Quarter,
    team: Option<i64>,
) -> Result<Vec<(String, Option<i64>)>> {
    let window = (midnight(q.start()), midnight(q.next().start()));
    let f = facts_read(ctx.product.id, q, window, team).on(db).await?;
    Ok(trend(&f, q, &ctx.product.key))
}

fn trend(f: &Facts, q: Quarter, key: &str) -> Vec<(String, Option<i64>)> {
    let today = crate::calendar::today();
    let end = q.next().start();
    let mut out = Vec::new();
    let mut m = q.start();
    while m < end && m <= today {
        let month = score(f, q, (midnight(m), midnight(next_month(m))), key);
        out.push((
            m.format("%Y-%m").to_string(),
            month.completed.score.map(|s| s.score),
        ));
        m = next_month(m);
    }
    out
}
