//! Alignment without sprints (E11, G4): a month or a quarter is scored over the points of the
//! items finished in it (completed) and the items started in it (committed), with the same
//! formula as a sprint. A product in flow answers a quarter this way, with a trend by month;
//! any product answers a month. Sprint and sprint-quarter reports stay with governance.

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use crate::auth::Action;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::governance::alignment::{self, build, Alignment, AlignmentParams};
use crate::governance::store::{self as gov, SprintItem};
use crate::on;
use crate::points::Points;
use crate::strategy::Quarter;
use crate::workspace::ProductCtx;

/// The first day of a month like `2026-11`, or the field at fault.
pub fn parse_month(s: &str) -> Result<NaiveDate> {
    let bad = || Error::invalid("month", format!("{s:?} is not a month like 2026-11"));
    let (y, m) = s.trim().split_once('-').ok_or_else(bad)?;
    let (year, month): (i32, u32) = (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if y.len() != 4 || m.len() != 2 || !(2000..=2100).contains(&year) {
        return Err(bad());
    }
    NaiveDate::from_ymd_opt(year, month, 1).ok_or_else(bad)
}

fn next_month(d: NaiveDate) -> NaiveDate {
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

/// The one entry point the API, the page and the CLI call: a month, a flow product's quarter,
/// or governance's sprint and sprint-quarter reports.
pub async fn report(db: &Db, ctx: &ProductCtx, p: &AlignmentParams) -> Result<Alignment> {
    ctx.grants.require(Action::ViewBacklog)?;
    match (p.sprint, p.quarter.as_deref(), p.month.as_deref()) {
        (None, None, Some(m)) => {
            let from = parse_month(m)?;
            let mut a = period(db, ctx, Quarter::of(from), from, next_month(from)).await?;
            a.month = Some(from.format("%Y-%m").to_string());
            Ok(a)
        }
        (None, Some(q), None) if super::store::settings(db, ctx.product.id).await?.is_flow() => {
            let q = Quarter::parse(q)?;
            let end = q.next().start();
            let mut a = period(db, ctx, q, q.start(), end).await?;
            let today = crate::calendar::today();
            let mut m = q.start();
            while m < end && m <= today {
                let month = period(db, ctx, q, m, next_month(m)).await?;
                a.trend.push((
                    m.format("%Y-%m").to_string(),
                    month.completed.score.map(|s| s.score),
                ));
                m = next_month(m);
            }
            Ok(a)
        }
        _ => alignment::report(db, ctx, p).await,
    }
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

/// The report over the items started or finished from `from` (included) to `to` (excluded),
/// with the priorities of `quarter` (the quarter of the period).
async fn period(
    db: &Db,
    ctx: &ProductCtx,
    quarter: Quarter,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Alignment> {
    let (from, to) = (midnight(from), midnight(to));
    let mut r = db.reader().await?;
    let rows: Vec<Row> = on!(&mut r.conn(), t => sqlx::query_as(
        "SELECT i.id, i.number, i.title, i.points, COALESCE(pi.priority_id, ppi.priority_id), e.status, e.at
         FROM items i JOIN item_status_events e ON e.item_id = i.id
         LEFT JOIN items par ON par.id = i.parent_id
         LEFT JOIN priority_initiatives pi ON pi.initiative_id = i.initiative_id AND pi.quarter = $2
         LEFT JOIN priority_initiatives ppi ON i.initiative_id IS NULL AND ppi.initiative_id = par.initiative_id AND ppi.quarter = $2
         WHERE i.product_id = $1 AND i.id IN (
             SELECT x.item_id FROM item_status_events x JOIN items y ON y.id = x.item_id
             WHERE y.product_id = $1 AND x.at >= $3 AND x.at < $4 AND x.status IN ('in_progress', 'done'))
         ORDER BY i.id, e.at, e.id")
        .bind(ctx.product.id).bind(quarter.to_string()).bind(from).bind(to).fetch_all(&mut **t).await)?;
    let inside = |t: Option<DateTime<Utc>>| t.is_some_and(|t| t >= from && t < to);
    let items: Vec<SprintItem> = rows
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
    let priorities = gov::priorities(db, ctx.product.id, quarter).await?;
    let allowance = gov::settings(db, ctx.product.id).await?.allowance_pct;
    let mut a = build(quarter, &priorities, &items, allowance, &ctx.product.key);
    a.flow = true;
    Ok(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_parse_or_name_their_field() {
        assert_eq!(
            parse_month("2026-11").ok(),
            NaiveDate::from_ymd_opt(2026, 11, 1)
        );
        assert_eq!(
            next_month(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default()).to_string(),
            "2027-01-01"
        );
        for bad in ["2026-13", "2026-1", "26-11", "november", ""] {
            assert!(
                matches!(parse_month(bad), Err(Error::Invalid { field, .. }) if field == "month"),
                "{bad}"
            );
        }
    }
}
