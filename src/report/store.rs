//! The report's SQL: closed sprints' frozen figures and the status history of finished items.

use chrono::{DateTime, Utc};

use super::{CycleTime, Report, SprintRow};
use crate::auth::Action;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::on;
use crate::points::Points;
use crate::workspace::ProductCtx;

type Row = (
    i64,
    String,
    String,
    Option<String>,
    Option<Points>,
    Option<Points>,
    Option<Points>,
    Option<Points>,
    Option<Points>,
    Option<bool>,
);

/// How far back cycle times look.
const CYCLE_DAYS: i64 = 180;

pub async fn report(db: &Db, ctx: &ProductCtx, team: Option<i64>) -> Result<Report> {
    ctx.grants.require(Action::ViewBacklog)?;
    let team_name = match team {
        Some(t) => Some(
            crate::sprint::team::get(db, ctx, t)
                .await
                .map_err(|_| Error::invalid("team", "no such team on this product"))?
                .name,
        ),
        None => None,
    };
    let rows: Vec<Row> = on!(&mut db.reader().await?.conn(), c => sqlx::query_as(
        "SELECT s.id, s.name, t.name, s.start_date, s.baseline_points, s.added_points, s.removed_points,
                s.completed_points, s.say_do_points, s.goal_met
         FROM sprints s JOIN teams t ON t.id = s.team_id
         WHERE s.product_id = $1 AND s.state = 'closed' AND ($2 IS NULL OR s.team_id = $2)
         ORDER BY s.start_date NULLS FIRST, s.closed_at NULLS FIRST, s.id")
        .bind(ctx.product.id).bind(team).fetch_all(&mut **c).await)?;
    let sprints: Vec<SprintRow> = rows
        .into_iter()
        .map(
            |(id, name, team, start_date, c, a, r, done, sd, goal_met)| {
                let (committed, added, removed) = (
                    c.unwrap_or_default(),
                    a.unwrap_or_default(),
                    r.unwrap_or_default(),
                );
                SprintRow {
                    id,
                    name,
                    team,
                    start_date,
                    committed,
                    added,
                    removed,
                    completed: done.unwrap_or_default(),
                    say_do_points: sd.unwrap_or_default(),
                    say_do: super::ratio(sd.unwrap_or_default(), committed),
                    churn: super::ratio(added + removed, committed),
                    goal_met,
                }
            },
        )
        .collect();
    let last3: Vec<&SprintRow> = sprints.iter().rev().take(3).collect();
    let velocity = (!last3.is_empty())
        .then(|| last3.iter().map(|s| s.completed).sum::<Points>().as_f64() / last3.len() as f64);
    let say_do = super::ratio(
        sprints.iter().map(|s| s.say_do_points).sum(),
        sprints.iter().map(|s| s.committed).sum(),
    );
    let cycle_times = cycle_times(db, ctx, team).await?;
    let mut days: Vec<f64> = cycle_times.iter().map(|c| c.days).collect();
    days.sort_by(f64::total_cmp);
    Ok(Report {
        team: team_name,
        velocity,
        say_do,
        cycle_buckets: super::buckets(&days),
        cycle_p50: super::percentile(&days, 50.0),
        cycle_p85: super::percentile(&days, 85.0),
        cycle_times,
        sprints,
    })
}

async fn cycle_times(db: &Db, ctx: &ProductCtx, team: Option<i64>) -> Result<Vec<CycleTime>> {
    let since = crate::db::now() - chrono::Duration::days(CYCLE_DAYS);
    let rows: Vec<(i64, i64, String, String, DateTime<Utc>)> = on!(&mut db.reader().await?.conn(), c => sqlx::query_as(
        "SELECT e.item_id, i.number, i.title, e.status, e.at FROM item_status_events e JOIN items i ON i.id = e.item_id
         WHERE i.product_id = $1 AND i.status = 'done' AND i.updated_at >= $2
           AND ($3 IS NULL OR e.item_id IN (SELECT si.item_id FROM sprint_items si JOIN sprints s ON s.id = si.sprint_id WHERE s.team_id = $3))
         ORDER BY e.item_id, e.at, e.id")
        .bind(ctx.product.id).bind(since).bind(team).fetch_all(&mut **c).await)?;
    let mut out = Vec::new();
    let mut i = 0;
    while i < rows.len() {
        let id = rows[i].0;
        let j = rows[i..]
            .iter()
            .position(|r| r.0 != id)
            .map_or(rows.len(), |k| i + k);
        let events: Vec<(String, DateTime<Utc>)> =
            rows[i..j].iter().map(|r| (r.3.clone(), r.4)).collect();
        if let Some(secs) = super::cycle_seconds(&events) {
            out.push(CycleTime {
                key: format!("{}-{}", ctx.product.key, rows[i].1),
                title: rows[i].2.clone(),
                days: secs as f64 / 86_400.0,
            });
        }
        i = j;
    }
    Ok(out)
}
