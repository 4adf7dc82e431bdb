//! `throughline initiative ...`: initiatives with their scores, priorities and metrics, the
//! prioritization view, and putting backlog items under an initiative.

use clap::{Args, Subcommand};

use super::strategy::{err, print_json, On};
use crate::config::DbArgs;
use crate::ids::InitiativeId;
use crate::strategy::model::{Initiative, InitiativeInput, ScoresPatch};
use crate::strategy::{initiatives, today, Quarter, SortBy};

/// The PM's short texts the Solution Blueprint opens with; only the ones given change.
#[derive(Args, Debug, Clone, Default)]
pub struct BriefArgs {
    /// The problem it solves (up to 1,000 characters).
    #[arg(long)]
    problem: Option<String>,
    /// What it takes for granted.
    #[arg(long)]
    assumptions: Option<String>,
    /// What it deliberately leaves out.
    #[arg(long)]
    out_of_scope: Option<String>,
}

/// RICE and WSJF inputs; only the ones given change.
#[derive(Args, Debug, Clone, Default)]
pub struct ScoreArgs {
    #[arg(long)]
    reach: Option<i64>,
    /// 0.25, 0.5, 1, 2 or 3.
    #[arg(long)]
    impact: Option<f64>,
    /// Percent, 0–100.
    #[arg(long)]
    confidence: Option<i64>,
    /// Person-months.
    #[arg(long)]
    effort: Option<f64>,
    #[arg(long)]
    business_value: Option<i64>,
    #[arg(long)]
    time_criticality: Option<i64>,
    #[arg(long)]
    risk_reduction: Option<i64>,
    #[arg(long)]
    job_size: Option<i64>,
}

impl ScoreArgs {
    fn patch(&self) -> ScoresPatch {
        ScoresPatch {
            reach: self.reach.map(Some),
            impact: self.impact.map(Some),
            confidence: self.confidence.map(Some),
            effort: self.effort.map(Some),
            business_value: self.business_value.map(Some),
            time_criticality: self.time_criticality.map(Some),
            risk_reduction: self.risk_reduction.map(Some),
            job_size: self.job_size.map(Some),
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum InitiativeCommand {
    /// Add an initiative.
    Add {
        #[command(flatten)]
        on: On,
        #[arg(long)]
        title: String,
        #[arg(long, default_value = "")]
        description: String,
        #[arg(long, default_value = "idea")]
        status: String,
        #[command(flatten)]
        brief: BriefArgs,
        #[command(flatten)]
        scores: ScoreArgs,
        /// Id of a priority it serves (at most one per quarter); repeat for several quarters.
        #[arg(long = "priority")]
        priorities: Vec<i64>,
        /// Id of a metric it is meant to move; repeat for several.
        #[arg(long = "metric")]
        metrics: Vec<i64>,
    },
    /// Change an initiative; only what is given changes.
    Edit {
        #[command(flatten)]
        on: On,
        id: i64,
        #[arg(long)]
        title: Option<String>,
        #[arg(long)]
        description: Option<String>,
        #[arg(long)]
        status: Option<String>,
        #[command(flatten)]
        brief: BriefArgs,
        #[command(flatten)]
        scores: ScoreArgs,
        /// Replace the priorities it serves.
        #[arg(long = "priority")]
        priorities: Vec<i64>,
        /// Replace the metrics it moves.
        #[arg(long = "metric")]
        metrics: Vec<i64>,
    },
    /// The prioritization view: initiatives by RICE, WSJF, evidence or priority.
    List {
        #[command(flatten)]
        on: On,
        /// `rice`, `wsjf`, `evidence` (linked insights, by importance) or `priority`.
        #[arg(long, default_value = "rice")]
        sort: String,
        /// The quarter whose priorities count (the current one by default).
        #[arg(long)]
        quarter: Option<String>,
    },
    /// Show one initiative with its score formulas and backlog items.
    Show {
        #[command(flatten)]
        on: On,
        /// The initiative's id.
        id: i64,
    },
    /// Put a backlog item under an initiative, or take it out with --none.
    Link {
        #[command(flatten)]
        on: On,
        key: String,
        #[arg(long, required_unless_present = "none", conflicts_with = "none")]
        initiative: Option<i64>,
        #[arg(long)]
        none: bool,
    },
}

fn print(i: &Initiative) {
    let score = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_else(|| "-".into());
    let progress = i
        .progress
        .map(|p| format!("{p}%"))
        .unwrap_or_else(|| "-".into());
    let prios: Vec<String> = i
        .priorities
        .iter()
        .map(|p| format!("{} #{}", p.quarter, p.position))
        .collect();
    println!(
        "{:<5} {:<12} RICE {:>8}  WSJF {:>5}  {:>4} done  [{}]  {}",
        i.id,
        i.status,
        score(i.rice),
        score(i.wsjf),
        progress,
        prios.join(", "),
        i.title
    );
}

pub async fn run(db_args: &DbArgs, c: InitiativeCommand) -> anyhow::Result<()> {
    let db = db_args.open(false).await?;
    match c {
        InitiativeCommand::Add {
            on,
            title,
            description,
            status,
            brief,
            scores,
            priorities,
            metrics,
        } => {
            let (user, ctx) = on.open(&db).await?;
            let input = InitiativeInput {
                title: Some(title),
                description: Some(description),
                problem: brief.problem,
                assumptions: brief.assumptions,
                out_of_scope: brief.out_of_scope,
                status: Some(status),
                scores: Some(scores.patch()),
                priorities: Some(priorities),
                metrics: Some(metrics),
            };
            let i = initiatives::create(&db, &user, &ctx, input)
                .await
                .map_err(err)?;
            if on.who.json {
                return print_json(&i);
            }
            print(&i);
        }
        InitiativeCommand::Edit {
            on,
            id,
            title,
            description,
            status,
            brief,
            scores,
            priorities,
            metrics,
        } => {
            let (user, ctx) = on.open(&db).await?;
            let id = InitiativeId(id);
            let v = initiatives::get(&db, &ctx, id).await.map_err(err)?.version;
            let input = InitiativeInput {
                title,
                description,
                problem: brief.problem,
                assumptions: brief.assumptions,
                out_of_scope: brief.out_of_scope,
                status,
                scores: Some(scores.patch()),
                priorities: (!priorities.is_empty()).then_some(priorities),
                metrics: (!metrics.is_empty()).then_some(metrics),
            };
            let i = initiatives::update(&db, &user, &ctx, id, v, input)
                .await
                .map_err(err)?;
            if on.who.json {
                return print_json(&i);
            }
            print(&i);
        }
        InitiativeCommand::List { on, sort, quarter } => {
            let (_, ctx) = on.open(&db).await?;
            let by = SortBy::parse(&sort).map_err(err)?;
            let q = match quarter {
                Some(q) => Quarter::parse(&q).map_err(err)?,
                None => Quarter::of(today()),
            };
            let list = initiatives::list(&db, &ctx, by, q).await.map_err(err)?;
            if on.who.json {
                return print_json(&list);
            }
            list.iter().for_each(print);
        }
        InitiativeCommand::Show { on, id } => {
            let (_, ctx) = on.open(&db).await?;
            let i = initiatives::get(&db, &ctx, InitiativeId(id))
                .await
                .map_err(err)?;
            if on.who.json {
                return print_json(&i);
            }
            print(&i);
            for f in [&i.rice_formula, &i.wsjf_formula].into_iter().flatten() {
                println!("      {f}");
            }
            println!("      items: {}", i.items.join(" "));
        }
        InitiativeCommand::Link {
            on,
            key,
            initiative,
            none,
        } => {
            let (user, ctx) = on.open(&db).await?;
            let target = if none { None } else { initiative };
            let target = target.map(InitiativeId);
            let item = initiatives::link_item(&db, &user, &ctx, &key, target)
                .await
                .map_err(err)?;
            if on.who.json {
                return print_json(&item);
            }
            match item.initiative_id {
                Some(n) => println!("{} belongs to initiative {n}", item.key),
                None => println!("{} belongs to no initiative", item.key),
            }
        }
    }
    Ok(())
}
