//! `throughline objective|metric|priority ...`: the PM's objectives, success metrics and
//! quarterly priorities from a terminal, with the same rules as the API and pages.

use clap::{Args, Subcommand};

use super::item::Who;
use crate::auth::store::{self, User};
use crate::config::DbArgs;
use crate::db::Db;
use crate::strategy::model::{
    MetricInput, MetricValue, ObjectiveInput, PriorityInput, PriorityMove,
};
use crate::strategy::{objectives, priorities, today, Quarter};
use crate::workspace::{store as ws_store, ProductCtx};

// Who acts, and on which product. (No doc comment: clap would show it as the about text of
// every subcommand that flattens this without its own.)
#[derive(Args, Debug, Clone)]
pub struct On {
    #[command(flatten)]
    pub who: Who,
    /// Product key, e.g. `ONB`.
    #[arg(long, short = 'p')]
    pub product: String,
}

impl On {
    pub async fn open(&self, db: &Db) -> anyhow::Result<(User, ProductCtx)> {
        let user = store::find_by_email(db, &self.who.email)
            .await?
            .ok_or_else(|| anyhow::anyhow!("no account with e-mail {}", self.who.email))?;
        let ctx = ws_store::product_ctx(db, user.id, &self.who.workspace, &self.product)
            .await
            .map_err(|e| anyhow::anyhow!("{}/{}: {e}", self.who.workspace, self.product))?;
        Ok((user, ctx))
    }
}

/// A service error for the terminal, naming the flag rather than the API field.
pub fn err(e: crate::error::Error) -> anyhow::Error {
    super::flags::flag_err(e, &[])
}

pub fn print_json<T: serde::Serialize>(v: &T) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}

fn quarter(q: Option<&str>) -> anyhow::Result<Quarter> {
    match q {
        Some(q) => Quarter::parse(q).map_err(err),
        None => Ok(Quarter::of(today())),
    }
}

#[derive(Subcommand, Debug)]
pub enum ObjectiveCommand {
    /// Add an objective for a quarter.
    Add {
        #[command(flatten)]
        on: On,
        /// `YYYY-Qn`, e.g. `2027-Q1`.
        #[arg(long)]
        quarter: String,
        #[arg(long)]
        title: String,
        #[arg(long, default_value = "")]
        description: String,
    },
    /// List objectives with their metrics (all quarters unless one is given).
    List {
        #[command(flatten)]
        on: On,
        #[arg(long)]
        quarter: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum MetricCommand {
    /// Add a success metric, optionally under an objective.
    Add {
        #[command(flatten)]
        on: On,
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "")]
        unit: String,
        /// Which way is good: `up` or `down`.
        #[arg(long, default_value = "up")]
        direction: String,
        #[arg(long, allow_hyphen_values = true)]
        baseline: f64,
        #[arg(long, allow_hyphen_values = true)]
        target: f64,
        /// Id of the objective it measures.
        #[arg(long)]
        objective: Option<i64>,
    },
    /// Record the value measured on a day (replaces an earlier value of that day).
    Record {
        #[command(flatten)]
        on: On,
        id: i64,
        /// `YYYY-MM-DD`.
        #[arg(long = "on")]
        measured_on: String,
        #[arg(long, allow_hyphen_values = true)]
        value: f64,
    },
    /// Show a metric with its history and progress to target.
    Show {
        #[command(flatten)]
        on: On,
        id: i64,
    },
}

#[derive(Subcommand, Debug)]
pub enum PriorityCommand {
    /// Add a priority to a quarter's ranked list (at the bottom unless --top).
    Add {
        #[command(flatten)]
        on: On,
        #[arg(long)]
        quarter: String,
        #[arg(long)]
        title: String,
        #[arg(long, default_value = "")]
        description: String,
        /// Id of an objective of the same quarter; repeat for several.
        #[arg(long = "objective", required = true)]
        objectives: Vec<i64>,
        #[arg(long)]
        top: bool,
        /// Why; required once the quarter has started.
        #[arg(long)]
        reason: Option<String>,
    },
    /// List a quarter's priorities in rank order (the current quarter by default).
    List {
        #[command(flatten)]
        on: On,
        #[arg(long)]
        quarter: Option<String>,
    },
    /// Move a priority before or after another, or to the top or bottom.
    Move {
        #[command(flatten)]
        on: On,
        id: i64,
        #[arg(long, conflicts_with_all = ["after", "top", "bottom"])]
        before: Option<i64>,
        #[arg(long, conflicts_with_all = ["top", "bottom"])]
        after: Option<i64>,
        #[arg(long, conflicts_with = "bottom")]
        top: bool,
        #[arg(long)]
        bottom: bool,
        #[arg(long)]
        reason: Option<String>,
    },
    /// Remove a priority.
    Remove {
        #[command(flatten)]
        on: On,
        id: i64,
        #[arg(long)]
        reason: Option<String>,
    },
}

pub async fn objective(db_args: &DbArgs, c: ObjectiveCommand) -> anyhow::Result<()> {
    let db = db_args.open(false).await?;
    match c {
        ObjectiveCommand::Add {
            on,
            quarter,
            title,
            description,
        } => {
            let (user, ctx) = on.open(&db).await?;
            let input = ObjectiveInput {
                quarter: Some(quarter),
                title: Some(title),
                description: Some(description),
            };
            let o = objectives::create(&db, &user, &ctx, input)
                .await
                .map_err(err)?;
            if on.who.json {
                return print_json(&o);
            }
            println!("objective {}  {}  {}", o.id, o.quarter, o.title);
        }
        ObjectiveCommand::List { on, quarter } => {
            let (_, ctx) = on.open(&db).await?;
            let q = quarter
                .as_deref()
                .map(Quarter::parse)
                .transpose()
                .map_err(err)?;
            let list = objectives::list(&db, &ctx, q).await.map_err(err)?;
            if on.who.json {
                return print_json(&list);
            }
            for o in &list {
                println!("{:<5} {}  {}", o.id, o.quarter, o.title);
                for m in &o.metrics {
                    let now = m
                        .current
                        .map(|c| format!("{c}{}", m.unit))
                        .unwrap_or_else(|| "-".into());
                    let p = m
                        .progress
                        .map(|p| format!("{p}%"))
                        .unwrap_or_else(|| "-".into());
                    println!(
                        "      metric {:<4} {}: {now} (target {}{}, {p})",
                        m.id, m.name, m.target, m.unit
                    );
                }
            }
        }
    }
    Ok(())
}

pub async fn metric(db_args: &DbArgs, c: MetricCommand) -> anyhow::Result<()> {
    let db = db_args.open(false).await?;
    let (on, detail) = match c {
        MetricCommand::Add {
            on,
            name,
            unit,
            direction,
            baseline,
            target,
            objective,
        } => {
            let (user, ctx) = on.open(&db).await?;
            let input = MetricInput {
                objective_id: Some(objective),
                name: Some(name),
                unit: Some(unit),
                direction: Some(direction),
                baseline: Some(baseline),
                target: Some(target),
            };
            (
                on,
                objectives::create_metric(&db, &user, &ctx, input)
                    .await
                    .map_err(err)?,
            )
        }
        MetricCommand::Record {
            on,
            id,
            measured_on,
            value,
        } => {
            let (user, ctx) = on.open(&db).await?;
            let v = MetricValue { measured_on, value };
            (
                on,
                objectives::record_value(&db, &user, &ctx, id, v)
                    .await
                    .map_err(err)?,
            )
        }
        MetricCommand::Show { on, id } => {
            let (_, ctx) = on.open(&db).await?;
            (on, objectives::metric(&db, &ctx, id).await.map_err(err)?)
        }
    };
    if on.who.json {
        return print_json(&detail);
    }
    let m = &detail.metric;
    let p = m
        .progress
        .map(|p| format!("{p}% of the way"))
        .unwrap_or_else(|| "no value yet".into());
    println!(
        "metric {}  {}: {}{u} → {}{u} ({} is good), {p}",
        m.id,
        m.name,
        m.baseline,
        m.target,
        m.direction,
        u = m.unit
    );
    for v in &detail.history {
        println!("  {}  {}{}", v.measured_on, v.value, m.unit);
    }
    Ok(())
}

pub async fn priority(db_args: &DbArgs, c: PriorityCommand) -> anyhow::Result<()> {
    let db = db_args.open(false).await?;
    let (on, list) = match c {
        PriorityCommand::Add {
            on,
            quarter,
            title,
            description,
            objectives,
            top,
            reason,
        } => {
            let (user, ctx) = on.open(&db).await?;
            let input = PriorityInput {
                quarter: Some(quarter),
                title: Some(title),
                description: Some(description),
                objectives: Some(objectives),
                position: Some(if top { "top" } else { "bottom" }.into()),
                reason,
            };
            let p = priorities::create(&db, &user, &ctx, input)
                .await
                .map_err(err)?;
            let q = Quarter::parse(&p.quarter).map_err(err)?;
            (on, priorities::list(&db, &ctx, q).await.map_err(err)?)
        }
        PriorityCommand::List { on, quarter: q } => {
            let (_, ctx) = on.open(&db).await?;
            let q = quarter(q.as_deref())?;
            (on, priorities::list(&db, &ctx, q).await.map_err(err)?)
        }
        PriorityCommand::Move {
            on,
            id,
            before,
            after,
            top,
            bottom,
            reason,
        } => {
            let (user, ctx) = on.open(&db).await?;
            let to = match (top, bottom) {
                (true, _) => Some("top".to_string()),
                (_, true) => Some("bottom".to_string()),
                _ => None,
            };
            if before.is_none() && after.is_none() && to.is_none() {
                anyhow::bail!("say where: --before ID, --after ID, --top or --bottom");
            }
            let m = PriorityMove {
                before,
                after,
                to,
                reason,
            };
            (
                on,
                crate::governance::tiers::move_priority(&db, &user, &ctx, id, m)
                    .await
                    .map_err(err)?,
            )
        }
        PriorityCommand::Remove { on, id, reason } => {
            let (user, ctx) = on.open(&db).await?;
            let p = priorities::get(&db, &ctx, id).await.map_err(err)?;
            priorities::delete(&db, &user, &ctx, id, p.version, reason.as_deref())
                .await
                .map_err(err)?;
            let q = Quarter::parse(&p.quarter).map_err(err)?;
            (on, priorities::list(&db, &ctx, q).await.map_err(err)?)
        }
    };
    if on.who.json {
        return print_json(&list);
    }
    for p in &list {
        println!(
            "{:>2}. {}  {}  (id {}, objectives {:?}, {})",
            p.position,
            p.quarter,
            p.title,
            p.id,
            p.objectives,
            super::out::count(p.initiatives.len() as i64, "initiative", "initiatives")
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    /// clap checks a command's definition only when it is parsed; check them all at once.
    #[test]
    fn every_command_is_well_formed() {
        use clap::CommandFactory;
        super::super::Cli::command().debug_assert();
    }
}
