//! `throughline flow ...`: the flow board (E11) from a terminal: show it, move a card under the
//! WIP limits (`--override` as the Product Owner), set the cadence and limits, and the report.

use clap::{Args, Subcommand};

use super::flags::flag_err;
use super::item::err;
use super::sprint::{open, out, team_id, On};
use crate::config::DbArgs;
use crate::flow::{board, report, store, teams, FlowSettingsInput, TeamCadenceInput};

#[derive(Subcommand, Debug)]
pub enum FlowCommand {
    /// Show the flow board: columns, WIP limits, card ages (amber: aging).
    Board {
        #[command(flatten)]
        on: On,
        /// Narrow to the items assigned to one team's members (name or id), with its own
        /// WIP limits.
        #[arg(long)]
        team: Option<String>,
    },
    /// Move a card to another column: todo, in_progress, in_review or done.
    Move {
        #[command(flatten)]
        on: On,
        /// The item's key, e.g. ONB-42.
        item: String,
        #[arg(long)]
        to: String,
        /// As the Product Owner: the reason to go past a blocking WIP limit (recorded).
        #[arg(long = "override")]
        override_reason: Option<String>,
        /// On one team's board (name or id): its cadence and its own WIP limits hold.
        #[arg(long)]
        team: Option<String>,
    },
    /// Show or set the cadence (sprints or flow) and the WIP limits.
    Settings(SettingsArgs),
    /// Throughput per week, cycle time percentiles, aging work in progress, cumulative flow.
    Report {
        #[command(flatten)]
        on: On,
        /// Narrow to the items assigned to one team's members (name).
        #[arg(long)]
        team: Option<String>,
    },
}

#[derive(Args, Debug)]
pub struct SettingsArgs {
    #[command(flatten)]
    on: On,
    /// One team's cadence instead of the product's (name or id): --cadence sprints, flow, or
    /// product (follow the product's).
    #[arg(long, conflicts_with_all = ["wip_mode", "wip_in_progress", "wip_in_review"])]
    team: Option<String>,
    /// sprints or flow (for a team also product); omit to show the settings.
    #[arg(long)]
    cadence: Option<String>,
    /// warn or block.
    #[arg(long)]
    wip_mode: Option<String>,
    /// In progress limit (0 for none).
    #[arg(long)]
    wip_in_progress: Option<i64>,
    /// In review limit (0 for none).
    #[arg(long)]
    wip_in_review: Option<i64>,
}

fn limit(v: Option<i64>) -> String {
    v.map_or("none".into(), |l| l.to_string())
}

pub async fn run(db_args: &DbArgs, c: FlowCommand) -> anyhow::Result<()> {
    match c {
        FlowCommand::Board { on, team } => {
            let (db, _, ctx) = open(db_args, &on).await?;
            let team = match team {
                Some(t) => Some(team_id(&db, &ctx, &t).await?),
                None => None,
            };
            let b = board::board(&db, &ctx, team).await.map_err(err)?;
            out(on.who.json, &b, |b| {
                match &b.team {
                    Some(t) => println!("{} · team {} · {}", b.product, t.team, t.cadence),
                    None => println!(
                        "{} · {} · WIP limits {}",
                        b.product, b.settings.cadence, b.settings.wip_mode
                    ),
                }
                for col in &b.columns {
                    let l = col.limit.map(|l| format!(" / {l}")).unwrap_or_default();
                    println!("{} ({}{l})", col.title, col.count);
                    for c in &col.cards {
                        let mark = if c.aging { "  aging" } else { "" };
                        println!("  {:<10} {:>5.1} d  {}{mark}", c.key, c.age_days, c.title);
                    }
                }
                for w in &b.warnings {
                    println!("warning: {w}");
                }
            })
        }
        FlowCommand::Move {
            on,
            item,
            to,
            override_reason,
            team,
        } => {
            let (db, user, ctx) = open(db_args, &on).await?;
            let team = match team {
                Some(t) => Some(team_id(&db, &ctx, &t).await?),
                None => None,
            };
            if let Some(r) = &override_reason {
                crate::text::check("override", r).map_err(err)?;
            }
            let m = board::move_card(
                &db,
                &user,
                &ctx,
                team,
                &item,
                &to,
                override_reason.as_deref(),
            )
            .await
            .map_err(err)?;
            out(on.who.json, &m, |m| {
                println!("{} → {}", m.key, crate::backlog::status_title(&m.status));
                for w in &m.warnings {
                    println!("warning: {w}");
                }
            })
        }
        FlowCommand::Settings(a) if a.team.is_some() => team_settings(db_args, a).await,
        FlowCommand::Settings(a) => {
            let (db, user, ctx) = open(db_args, &a.on).await?;
            let mut s = store::settings(&db, ctx.product.id).await.map_err(err)?;
            let changing = a.cadence.is_some()
                || a.wip_mode.is_some()
                || a.wip_in_progress.is_some()
                || a.wip_in_review.is_some();
            if changing {
                let pick = |v: Option<i64>, old: Option<i64>| match v {
                    Some(0) => None,
                    Some(l) => Some(l),
                    None => old,
                };
                let input = FlowSettingsInput {
                    cadence: a.cadence.unwrap_or(s.cadence.clone()),
                    wip_mode: Some(a.wip_mode.unwrap_or(s.wip_mode.clone())),
                    wip_in_progress: pick(a.wip_in_progress, s.wip_in_progress),
                    wip_in_review: pick(a.wip_in_review, s.wip_in_review),
                };
                s = store::set_settings(&db, &user, &ctx, s.version, &input)
                    .await
                    .map_err(err)?;
            }
            out(a.on.who.json, &s, |s| {
                println!(
                    "{}: cadence {}, WIP limits {} (In progress {}, In review {})",
                    ctx.product.key,
                    s.cadence,
                    s.wip_mode,
                    limit(s.wip_in_progress),
                    limit(s.wip_in_review)
                );
            })
        }
        FlowCommand::Report { on, team } => {
            let (db, _, ctx) = open(db_args, &on).await?;
            let team = match team {
                Some(t) => Some(team_id(&db, &ctx, &t).await?),
                None => None,
            };
            let r = report::report(&db, &ctx, team).await.map_err(err)?;
            let f = |v: Option<f64>| v.map_or("-".into(), |x| format!("{x:.1}"));
            out(on.who.json, &r, |r| {
                let p = &r.cycle_percentiles;
                println!(
                    "{} ({}): throughput {} items/week; cycle time p50 {} p85 {} p95 {} days",
                    r.product,
                    r.cadence,
                    f(r.throughput_mean),
                    f(p.p50),
                    f(p.p85),
                    f(p.p95)
                );
                println!("week        finished");
                for w in &r.throughput {
                    println!("{}  {:>8}", w.week, w.finished);
                }
                println!("work in progress, oldest first:");
                for a in &r.aging {
                    let mark = if a.aging { "  aging" } else { "" };
                    println!(
                        "  {:<10} {:<11} {:>5.1} d  {}{mark}",
                        a.key, a.status, a.age_days, a.title
                    );
                }
            })
        }
    }
}

/// `flow settings --team NAME [--cadence sprints|flow|product]`: show or set a team's cadence.
async fn team_settings(db_args: &DbArgs, a: SettingsArgs) -> anyhow::Result<()> {
    let (db, user, ctx) = open(db_args, &a.on).await?;
    let team = team_id(&db, &ctx, a.team.as_deref().unwrap_or_default()).await?;
    let mut c = teams::get(&db, &ctx, team).await.map_err(err)?;
    if let Some(cadence) = a.cadence {
        let input = TeamCadenceInput { cadence };
        c = teams::set(&db, &user, &ctx, team, c.version, &input)
            .await
            .map_err(|e| flag_err(e, &[("cadence", "--cadence")]))?;
    }
    out(a.on.who.json, &c, |c| {
        let whose = if c.follows_product {
            " (the product's)".to_string()
        } else {
            String::new()
        };
        println!(
            "{} on {}: cadence {}{whose}",
            c.team, ctx.product.key, c.cadence
        );
    })
}
