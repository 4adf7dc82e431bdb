//! "When will it be done?" for a set of items (a backlog query, the top N, an initiative, a
//! release), and the reverse, "how much by this date?": the history is gathered here (weekly
//! throughput in flow, sprint velocities in Scrum) and handed to the pure simulation of
//! `crate::forecast`. With too little history the answer says so and is shown as a guess.

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use super::{metrics, store};
use crate::auth::Action;
use crate::backlog::{query::compile_query, store as items};
use crate::db::Db;
use crate::error::{Error, Result};
use crate::forecast::{self as sim, Bucket};
use crate::on;
use crate::points::Points;
use crate::workspace::ProductCtx;

/// At most this many items are forecast at once.
pub const MAX_ITEMS: i64 = 1_000;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ForecastParams {
    /// A backlog query, e.g. `is:ready` (open items only are counted).
    pub items: Option<String>,
    /// Only the top N of the items, in backlog order (1–1000; all, up to 1000, when omitted).
    pub top: Option<i64>,
    /// The open items of one initiative (its id).
    pub initiative: Option<i64>,
    /// The open items a release ships (its id): its items and its initiatives' items.
    pub release: Option<i64>,
    /// A date (YYYY-MM-DD): also say how many items (or points) will be done by then.
    pub by: Option<String>,
    /// The random seed; the same seed gives the same answer.
    pub seed: Option<u64>,
    /// Simulated futures, 100–100000; 10000 when omitted.
    pub runs: Option<usize>,
    /// A team of the product (its id): draw from that team's own history, by the cadence it
    /// works by (weekly throughput of its members' items in flow, its sprints' velocities).
    pub team: Option<i64>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Dates {
    pub p50: NaiveDate,
    pub p85: NaiveDate,
    pub p95: NaiveDate,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ByDate {
    pub date: NaiveDate,
    /// Whole periods (weeks or sprints) from today to the date.
    pub periods: u32,
    /// At least this much is done by the date with 50 %, 85 % and 95 % likelihood.
    pub p50: f64,
    pub p85: f64,
    pub p95: f64,
    pub distribution: Vec<Bucket>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Forecast {
    pub product: String,
    /// The team whose history it draws from, when one was asked for.
    pub team: Option<String>,
    /// flow (weekly throughput) or sprints (velocity): the product's, or the team's.
    pub cadence: String,
    /// items or points.
    pub unit: String,
    /// Days in one simulated period: 7 in flow, the sprints' mean length in Scrum.
    pub period_days: i64,
    /// The past periods drawn from, oldest first.
    pub history: Vec<f64>,
    /// Where the history comes from, in words.
    pub basis: String,
    /// Too little history (fewer than 6 weeks or 3 sprints): the range is a guess.
    pub guess: bool,
    /// The open items forecast, in backlog order.
    pub keys: Vec<String>,
    /// The work to finish, in `unit`.
    pub work: f64,
    pub runs: usize,
    pub seed: u64,
    pub today: NaiveDate,
    /// The dates by which it is done with 50 %, 85 % and 95 % likelihood; null when the
    /// history finished nothing (it would never be done at that pace).
    pub done_by: Option<Dates>,
    /// How many futures finished on each date (`value` is days from today).
    pub distribution: Vec<Bucket>,
    pub by: Option<ByDate>,
}

impl Forecast {
    /// Whether `target` is unlikely: the 85 % date falls after it (or it never finishes).
    pub fn late_for(&self, target: NaiveDate) -> bool {
        self.done_by.as_ref().is_none_or(|d| d.p85 > target)
    }
}

/// The history of the product, or of one team: weekly throughput (flow) or sprint velocities
/// (Scrum), with the period length in days and a sentence saying where it comes from.
pub(super) async fn history(
    db: &Db,
    ctx: &ProductCtx,
    flow: bool,
    team: Option<i64>,
) -> Result<(Vec<f64>, i64, String, bool)> {
    let today = crate::calendar::today();
    if flow {
        let since = metrics::week_of(today) - Duration::weeks(26);
        let since = since.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
        let hist = store::histories(db, ctx, team, since, false).await?;
        let weeks: Vec<f64> = metrics::throughput(&hist, today, 26)
            .iter()
            .map(|w| w.finished as f64)
            .collect();
        let basis = format!(
            "items finished per week over the last {} whole weeks",
            weeks.len()
        );
        let guess = weeks.len() < sim::MIN_WEEKS;
        return Ok((weeks, 7, basis, guess));
    }
    let mut r = db.reader().await?;
    // Dates are stored as text (YYYY-MM-DD) on both databases.
    let rows: Vec<(String, String, Option<Points>)> = on!(&mut r.conn(), t => sqlx::query_as(
        "SELECT start_date, end_date, completed_points FROM sprints
         WHERE product_id = $1 AND state = 'closed' AND start_date IS NOT NULL
           AND ($2 IS NULL OR team_id = $2)
         ORDER BY start_date DESC LIMIT 12")
        .bind(ctx.product.id).bind(team).fetch_all(&mut **t).await)?;
    let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    let rows: Vec<(NaiveDate, NaiveDate, Option<Points>)> = rows
        .into_iter()
        .filter_map(|(s, e, p)| Some((day(&s)?, day(&e)?, p)))
        .collect();
    let velocities: Vec<f64> = rows
        .iter()
        .rev()
        .map(|r| r.2.unwrap_or_default().as_f64())
        .collect();
    let days = match rows.len() {
        0 => 14,
        n => rows.iter().map(|r| (r.1 - r.0).num_days() + 1).sum::<i64>() / n as i64,
    };
    let basis = format!(
        "completed points of the last {} closed sprints",
        velocities.len()
    );
    let guess = velocities.len() < sim::MIN_SPRINTS;
    Ok((velocities, days.max(1), basis, guess))
}

/// The open items the parameters name, in backlog order: (key, points).
pub(super) async fn selection(
    db: &Db,
    ctx: &ProductCtx,
    p: &ForecastParams,
) -> Result<Vec<(String, Option<Points>)>> {
    let top = p.top.unwrap_or(MAX_ITEMS);
    if !(1..=MAX_ITEMS).contains(&top) {
        return Err(Error::invalid("top", "from 1 to 1000"));
    }
    if let Some(release) = p.release {
        let mut r = db.reader().await?;
        let rows: Vec<(i64, Option<Points>)> = on!(&mut r.conn(), t => sqlx::query_as(
            "SELECT i.number, i.points FROM items i WHERE i.product_id = $1 AND i.status <> 'done'
               AND (i.id IN (SELECT item_id FROM release_items WHERE release_id = $2)
                    OR i.initiative_id IN (SELECT initiative_id FROM release_initiatives WHERE release_id = $2))
             ORDER BY i.rank LIMIT $3")
            .bind(ctx.product.id).bind(release).bind(top).fetch_all(&mut **t).await)?;
        return Ok(rows
            .into_iter()
            .map(|(n, pts)| (format!("{}-{n}", ctx.product.key), pts))
            .collect());
    }
    let q = match (p.initiative, p.items.as_deref()) {
        (Some(i), None) => format!("initiative:{i} is:open"),
        (None, Some(q)) => format!("({q}) is:open"),
        (None, None) => "is:open".to_string(),
        (Some(_), Some(_)) => {
            return Err(Error::invalid(
                "initiative",
                "give items or an initiative, not both",
            ))
        }
    };
    let filter = compile_query(&q, ctx).map_err(|e| match e {
        Error::Invalid { message, .. } => Error::invalid("items", message),
        e => e,
    })?;
    let rows = items::list(
        db,
        ctx.product.id,
        &ctx.product.key,
        &filter,
        items::After::Rows(0),
        top,
    )
    .await?;
    Ok(rows.into_iter().map(|s| (s.key, s.points)).collect())
}

/// The work to finish: items in flow; points in Scrum, where an item without an estimate
/// counts as the mean of the estimated ones.
pub(super) fn work_of(flow: bool, chosen: &[(String, Option<Points>)]) -> f64 {
    if flow {
        return chosen.len() as f64;
    }
    let known: Vec<f64> = chosen
        .iter()
        .filter_map(|c| c.1.map(Points::as_f64))
        .collect();
    let mean = if known.is_empty() {
        1.0
    } else {
        known.iter().sum::<f64>() / known.len() as f64
    };
    chosen
        .iter()
        .map(|c| c.1.map_or(mean, Points::as_f64))
        .sum()
}

pub async fn forecast(db: &Db, ctx: &ProductCtx, p: &ForecastParams) -> Result<Forecast> {
    ctx.grants.require(Action::ViewBacklog)?;
    let runs = p.runs.unwrap_or(sim::RUNS);
    if !(100..=100_000).contains(&runs) {
        return Err(Error::invalid("runs", "from 100 to 100000"));
    }
    let today = crate::calendar::today();
    let by = match p.by.as_deref() {
        Some(d) => Some(
            NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d")
                .ok()
                .filter(|d| *d > today)
                .ok_or_else(|| Error::invalid("by", "a date after today, like 2027-03-31"))?,
        ),
        None => None,
    };
    let seed = p.seed.unwrap_or(1);
    // A team forecasts from its own history, by the cadence it works by.
    let (flow, team) = match p.team {
        Some(t) => {
            let c = super::teams::cadence_of(db, ctx, t).await?;
            (c.is_flow(), Some(c))
        }
        None => (store::settings(db, ctx.product.id).await?.is_flow(), None),
    };
    let chosen = selection(db, ctx, p).await?;
    let (history, period_days, basis, guess) =
        history(db, ctx, flow, team.as_ref().map(|t| t.team_id)).await?;
    let basis = match &team {
        Some(t) => format!("{}: {basis}", t.team),
        None => basis,
    };
    let work = work_of(flow, &chosen);
    let date = |periods: u32| today + Duration::days(period_days * periods as i64);
    let sims = sim::periods_to_finish(&history, work, runs, seed);
    let done_by = sims.as_ref().and_then(|s| {
        let q = |p| sim::percentile(s, p).map(date);
        Some(Dates {
            p50: q(50.0)?,
            p85: q(85.0)?,
            p95: q(95.0)?,
        })
    });
    let distribution = sims
        .map(|s| {
            sim::histogram(
                &s.iter()
                    .map(|p| (period_days * *p as i64) as f64)
                    .collect::<Vec<_>>(),
            )
        })
        .unwrap_or_default();
    let by = by.map(|d| {
        let periods = ((d - today).num_days() / period_days).max(0) as u32;
        let done = sim::done_within(&history, periods, runs, seed);
        let at = |p| sim::at_least(&done, p).unwrap_or(0.0);
        ByDate {
            date: d,
            periods,
            p50: at(50.0),
            p85: at(85.0),
            p95: at(95.0),
            distribution: sim::histogram(&done),
        }
    });
    Ok(Forecast {
        product: ctx.product.key.clone(),
        team: team.map(|t| t.team),
        cadence: if flow { "flow" } else { "sprints" }.to_string(),
        unit: if flow { "items" } else { "points" }.to_string(),
        period_days,
        history,
        basis,
        guess,
        keys: chosen.into_iter().map(|c| c.0).collect(),
        work,
        runs,
        seed,
        today,
        done_by,
        distribution,
        by,
    })
}

/// The distribution of finish dates as a bar chart, the 85 % date in its title.
pub fn chart(f: &Forecast, canvas: crate::chart::Canvas) -> String {
    let title = format!(
        "When {} {} will be done ({} futures): 85 % by {}{}",
        f.keys.len(),
        if f.keys.len() == 1 { "item" } else { "items" },
        f.runs,
        f.done_by
            .as_ref()
            .map_or("never at this pace".to_string(), |d| d
                .p85
                .format("%d %b %Y")
                .to_string()),
        if f.guess {
            " (a guess: too little history)"
        } else {
            ""
        }
    );
    let rows: Vec<(String, f64)> = f
        .distribution
        .iter()
        .map(|b| {
            let d = f.today + Duration::days(b.value as i64);
            (d.format("%d %b").to_string(), b.runs as f64)
        })
        .collect();
    crate::chart::bars(canvas, &title, "futures", &rows, None)
}
