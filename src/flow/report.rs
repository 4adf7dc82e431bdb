//! The flow report of a product or a team (by its members' assignments): throughput per week,
//! cycle times with their percentiles, aging work in progress and the cumulative flow, with
//! the charts drawn from the same numbers. Sprint products get it too: the history is the same.

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use super::metrics::{self, Aging, Cycle, FlowDay, Percentiles, Week};
use super::store;
use crate::auth::Action;
use crate::chart;
use crate::db::Db;
use crate::error::Result;
use crate::workspace::ProductCtx;

/// How far back the report looks.
pub const WEEKS: usize = 26;
/// The cumulative flow's window.
pub const CFD_DAYS: i64 = 84;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FlowParams {
    /// Narrow to the items assigned to one team's members.
    pub team: Option<i64>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct FlowReport {
    pub product: String,
    /// sprints or flow: the product's, or the team's when narrowed to one.
    pub cadence: String,
    pub team: Option<String>,
    /// Items finished per whole week, oldest first (the week under way is left out).
    pub throughput: Vec<Week>,
    /// Mean items finished per week over `throughput`.
    pub throughput_mean: Option<f64>,
    /// Finished items with their cycle time, by finish date.
    pub cycle_times: Vec<Cycle>,
    pub cycle_percentiles: Percentiles,
    /// Work in progress, oldest first.
    pub aging: Vec<Aging>,
    /// Items per status at the end of each day of the last 84 days.
    pub cumulative_flow: Vec<FlowDay>,
    pub definitions: String,
}

pub const DEFINITIONS: &str = "Throughput: items finished per week (Monday to Sunday, UTC; the \
week under way is left out). Cycle time: from the first move to In progress to the final Done; \
items never started have none. Percentiles are nearest-rank. Work in progress: items In progress \
or In review, aged from their first start. Cumulative flow: items in each status at the end of \
each day.";

pub async fn report(db: &Db, ctx: &ProductCtx, team: Option<i64>) -> Result<FlowReport> {
    ctx.grants.require(Action::ViewBacklog)?;
    // A team's report goes by the cadence the team works by, its own or the product's.
    let (team_name, cadence) = match team {
        Some(t) => {
            let c = super::teams::cadence_of(db, ctx, t).await?;
            (Some(c.team), c.cadence)
        }
        None => (None, store::settings(db, ctx.product.id).await?.cadence),
    };
    let now = super::now();
    let today = crate::calendar::today();
    let since = metrics::week_of(today) - Duration::weeks(WEEKS as i64);
    let since_t = since.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    let items = store::histories(db, ctx, team, since_t, false).await?;
    let throughput = metrics::throughput(&items, today, WEEKS);
    let cycle_times = metrics::cycles(&items);
    let cycle_percentiles = metrics::percentiles(&cycle_times);
    let aging = metrics::aging(&items, now, cycle_percentiles.p85);
    let from = today - Duration::days(CFD_DAYS - 1);
    let from_t = from.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    let recent: Vec<_> = items
        .iter()
        .filter(|h| h.finished().is_none_or(|f| f >= from_t))
        .cloned()
        .collect();
    let before =
        store::done_before(db, ctx, team, since_t).await? + (items.len() - recent.len()) as i64;
    let cumulative_flow = metrics::cumulative_flow(&recent, from, today, before as u32);
    Ok(FlowReport {
        product: ctx.product.key.clone(),
        cadence,
        team: team_name,
        throughput_mean: (!throughput.is_empty()).then(|| {
            throughput.iter().map(|w| w.finished as f64).sum::<f64>() / throughput.len() as f64
        }),
        throughput,
        cycle_times,
        cycle_percentiles,
        aging,
        cumulative_flow,
        definitions: DEFINITIONS.to_string(),
    })
}

fn short(d: NaiveDate) -> String {
    d.format("%d %b").to_string()
}

/// The file names of the flow charts.
pub fn chart_names() -> [&'static str; 4] {
    [
        "throughput.svg",
        "cycle-scatter.svg",
        "aging.svg",
        "cfd.svg",
    ]
}

/// One of the report's charts by file name, drawn with the one chart module.
pub fn chart(r: &FlowReport, name: &str, canvas: chart::Canvas) -> Option<String> {
    Some(match name {
        "throughput.svg" => chart::bars(
            canvas,
            "Throughput: items finished per week",
            "items",
            &r.throughput
                .iter()
                .map(|w| (short(w.week), w.finished as f64))
                .collect::<Vec<_>>(),
            r.throughput_mean.map(|m| ("mean", m)),
        ),
        "cycle-scatter.svg" => {
            let p = &r.cycle_percentiles;
            chart::scatter(
                canvas,
                "Cycle time of finished items, with 50th, 85th and 95th percentiles",
                &r.cycle_times
                    .iter()
                    .map(|c| (c.finished, c.days))
                    .collect::<Vec<_>>(),
                &[("50%", p.p50), ("85%", p.p85), ("95%", p.p95)],
            )
        }
        "aging.svg" => chart::bars(
            canvas,
            "Aging work in progress: days since started",
            "days",
            &r.aging
                .iter()
                .map(|a| (a.key.clone(), (a.age_days * 10.0).round() / 10.0))
                .collect::<Vec<_>>(),
            r.cycle_percentiles
                .p85
                .map(|p| ("85th percentile of cycle time", p)),
        ),
        "cfd.svg" => chart::stacked(
            canvas,
            "Cumulative flow: items per status at the end of each day",
            &["Done", "In review", "In progress", "To do"],
            &r.cumulative_flow
                .iter()
                .map(|d| {
                    (
                        short(d.date),
                        vec![
                            d.done as f64,
                            d.in_review as f64,
                            d.in_progress as f64,
                            d.todo as f64,
                        ],
                    )
                })
                .collect::<Vec<_>>(),
        ),
        _ => return None,
    })
}
