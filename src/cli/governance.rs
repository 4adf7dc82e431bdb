//! `throughline alignment`: the alignment report of a sprint, a quarter or a month.

use clap::Args;

use super::flags::flag_err;
use super::item::err;
use super::sprint::On;
use crate::config::DbArgs;
use crate::flow::alignment::report;
use crate::governance::alignment::AlignmentParams;

#[derive(Args, Debug)]
pub struct AlignmentArgs {
    #[command(flatten)]
    pub on: On,
    /// The sprint's id or name, as the `sprint` commands take it.
    #[arg(
        long,
        short = 's',
        conflicts_with_all = ["quarter", "month"],
        required_unless_present_any = ["quarter", "month"]
    )]
    pub sprint: Option<String>,
    /// A quarter like 2027-Q1: every sprint starting in it, with the trend (a product in flow:
    /// the items started and finished in it, with the trend by month).
    #[arg(long, conflicts_with = "month")]
    pub quarter: Option<String>,
    /// A month like 2026-11: the items started (committed) and finished (completed) in it.
    #[arg(long)]
    pub month: Option<String>,
    /// One team (name or id): a month, or a flow team's quarter, over the items assigned to
    /// its members; a sprint team's quarter over its sprints.
    #[arg(long, conflicts_with = "sprint")]
    pub team: Option<String>,
}

pub async fn run(db_args: &DbArgs, a: AlignmentArgs) -> anyhow::Result<()> {
    let (db, _, ctx) = super::sprint::open(db_args, &a.on).await?;
    let sprint = match &a.sprint {
        Some(s) => Some(super::sprint::sprint_id(&db, &ctx, s).await?),
        None => None,
    };
    let team = match &a.team {
        Some(t) => Some(super::sprint::team_id(&db, &ctx, t).await?),
        None => None,
    };
    let r = report(
        &db,
        &ctx,
        &AlignmentParams {
            sprint,
            quarter: a.quarter,
            month: a.month,
            team,
        },
    )
    .await
    .map_err(|e| {
        flag_err(
            e,
            &[
                ("sprint", "--sprint"),
                ("quarter", "--quarter"),
                ("month", "--month"),
            ],
        )
    })?;
    if a.on.who.json {
        println!("{}", serde_json::to_string_pretty(&r)?);
        return Ok(());
    }
    match (&r.sprint, &r.month) {
        (Some(s), _) => println!("{s} ({})", r.quarter),
        (None, Some(m)) => println!("{m} ({}), over items started and finished in it", r.quarter),
        (None, None) if r.flow => println!("{}, over items started and finished in it", r.quarter),
        (None, None) => println!("{}", r.quarter),
    }
    for (over, scored) in [("completed", &r.completed), ("committed", &r.committed)] {
        match &scored.score {
            Some(s) => println!("score {:>3} over {over} points: {}", s.score, s.formula),
            None => println!("score   – over {over} points"),
        }
    }
    if let Some(why) = r.missing_score() {
        println!("{why}");
    }
    let width = r
        .priorities
        .iter()
        .map(|p| p.title.chars().count())
        .max()
        .unwrap_or(0)
        .max("unaligned".len());
    let tier = r.priorities.len().to_string().len();
    println!(
        "  {:>tier$}  {:<width$}  {:>9}  {:>9}",
        "", "priority", "committed", "completed"
    );
    for p in &r.priorities {
        println!(
            "  {:>tier$}  {:<width$}  {:>9}  {:>9}",
            p.tier, p.title, p.committed, p.completed
        );
    }
    println!(
        "  {:>tier$}  {:<width$}  {:>9}  {:>9}  (allowance {} %)",
        "–", "unaligned", r.unaligned_committed, r.unaligned_completed, r.allowance_pct
    );
    if !r.strategy_without_execution.is_empty() {
        println!(
            "strategy without execution: {}",
            r.strategy_without_execution.join(", ")
        );
    }
    if !r.execution_without_strategy.is_empty() {
        let keys: Vec<&str> = r
            .execution_without_strategy
            .iter()
            .map(|i| i.key.as_str())
            .collect();
        println!("execution without strategy: {}", keys.join(", "));
    }
    for (name, s) in &r.trend {
        println!(
            "  trend {name}: {}",
            s.map_or("-".into(), |s| s.to_string())
        );
    }
    Ok(())
}

/// The advisor's findings; with any threshold flag, the PM first sets the product's thresholds
/// (the others keep their current values).
#[derive(Args, Debug)]
pub struct AdvisorArgs {
    #[command(flatten)]
    pub on: On,
    /// Weeks without a priority update before PM and PO count as drifting.
    #[arg(long)]
    pub stale_priority_weeks: Option<i64>,
    /// Share (percent) of recent stories a PM without a PO may write before being "buried".
    #[arg(long)]
    pub pm_story_share_pct: Option<i64>,
    /// Backlog inversions that count as many.
    #[arg(long)]
    pub inversions: Option<i64>,
    /// Exemptions plus overrides in a quarter that count as many.
    #[arg(long)]
    pub exemptions_and_overrides: Option<i64>,
    /// Backlog size at which one person holding both roles should consider splitting them.
    #[arg(long)]
    pub combined_backlog_items: Option<i64>,
}

/// `throughline advisor`: the team-shape advisor's findings for a product.
pub async fn advisor(db_args: &DbArgs, a: AdvisorArgs) -> anyhow::Result<()> {
    let on = a.on;
    let (db, user, ctx) = super::sprint::open(db_args, &on).await?;
    let sets = [
        a.stale_priority_weeks,
        a.pm_story_share_pct,
        a.inversions,
        a.exemptions_and_overrides,
        a.combined_backlog_items,
    ];
    if sets.iter().any(Option::is_some) {
        let now = crate::governance::advisor::advise(&db, &ctx)
            .await
            .map_err(err)?
            .thresholds;
        let t = crate::governance::advisor::Thresholds {
            stale_priority_weeks: a.stale_priority_weeks.unwrap_or(now.stale_priority_weeks),
            pm_story_share_pct: a.pm_story_share_pct.unwrap_or(now.pm_story_share_pct),
            inversions: a.inversions.unwrap_or(now.inversions),
            exemptions_and_overrides: a
                .exemptions_and_overrides
                .unwrap_or(now.exemptions_and_overrides),
            combined_backlog_items: a
                .combined_backlog_items
                .unwrap_or(now.combined_backlog_items),
        };
        crate::governance::advisor::set_thresholds(
            &db,
            &user,
            &ctx,
            crate::workspace::settings::version(
                &db,
                ctx.product.id,
                crate::workspace::settings::Setting::Advisor,
            )
            .await?,
            &t,
        )
        .await
        .map_err(err)?;
    }
    let a = crate::governance::advisor::advise(&db, &ctx)
        .await
        .map_err(err)?;
    if on.who.json {
        println!("{}", serde_json::to_string_pretty(&a)?);
        return Ok(());
    }
    if a.findings.is_empty() {
        println!("nothing to flag: the PM sets priorities and the PO works within them");
    }
    for f in &a.findings {
        println!(
            "{}: {}\n  seen: {}\n  remedy: {}\n  look: {}",
            f.code, f.title, f.evidence, f.remedy, f.link
        );
    }
    let t = &a.thresholds;
    println!(
        "thresholds: priorities stale after {} weeks, PM writes over {} % of stories, {} inversions, {} exemptions and overrides, combined role past {} items",
        t.stale_priority_weeks, t.pm_story_share_pct, t.inversions, t.exemptions_and_overrides, t.combined_backlog_items
    );
    Ok(())
}
