//! `throughline forecast`: when a set of items will be done, from the team's own history
//! (Monte Carlo), and how much will be done by a date.

use clap::Args;

use super::flags::flag_err;
use super::sprint::{open, out, team_id, On};
use crate::config::DbArgs;
use crate::flow::forecast::{forecast, ForecastParams};

#[derive(Args, Debug)]
pub struct ForecastArgs {
    #[command(flatten)]
    on: On,
    /// A backlog query, e.g. 'is:ready' (open items only are counted).
    #[arg(long)]
    items: Option<String>,
    /// Only the top N items in backlog order.
    #[arg(long)]
    top: Option<i64>,
    /// The open items of one initiative (its id).
    #[arg(long, conflicts_with_all = ["items", "release"])]
    initiative: Option<i64>,
    /// The open items a release ships (its id).
    #[arg(long, conflicts_with = "items")]
    release: Option<i64>,
    /// Also say how much will be done by this date (YYYY-MM-DD).
    #[arg(long)]
    by: Option<String>,
    /// The random seed: the same seed gives the same answer.
    #[arg(long)]
    seed: Option<u64>,
    /// Simulated futures (100–100000).
    #[arg(long)]
    runs: Option<usize>,
    /// Draw from one team's own history (name or id), by the cadence it works by.
    #[arg(long)]
    team: Option<String>,
}

pub async fn run(db_args: &DbArgs, a: ForecastArgs) -> anyhow::Result<()> {
    let (db, _, ctx) = open(db_args, &a.on).await?;
    if let Some(q) = &a.items {
        crate::text::check("items", q).map_err(|e| flag_err(e, &[("items", "--items")]))?;
    }
    let team = match &a.team {
        Some(t) => Some(team_id(&db, &ctx, t).await?),
        None => None,
    };
    let p = ForecastParams {
        items: a.items,
        top: a.top,
        initiative: a.initiative,
        release: a.release,
        by: a.by,
        seed: a.seed,
        runs: a.runs,
        team,
    };
    let f = forecast(&db, &ctx, &p).await.map_err(|e| {
        flag_err(
            e,
            &[
                ("items", "--items"),
                ("top", "--top"),
                ("by", "--by"),
                ("runs", "--runs"),
            ],
        )
    })?;
    out(a.on.who.json, &f, |f| {
        let guess = if f.guess {
            " (a guess: too little history)"
        } else {
            ""
        };
        println!(
            "{} open items, {} {}; {} from {}{guess}",
            f.keys.len(),
            f.work,
            f.unit,
            f.cadence,
            f.basis
        );
        match &f.done_by {
            Some(d) => println!(
                "done by {} (50 %), {} (85 %), {} (95 %)",
                d.p50, d.p85, d.p95
            ),
            None => println!("never at this pace: the history finished nothing"),
        }
        if let Some(b) = &f.by {
            println!(
                "by {}: at least {} {} (85 %), {} (50 %), {} (95 %)",
                b.date, b.p85, f.unit, b.p50, b.p95
            );
        }
    })
}
