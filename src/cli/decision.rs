//! `throughline decision ...`: the product decision log from a terminal.

use clap::Subcommand;

use super::strategy::{err, print_json, On};
use crate::config::DbArgs;
use crate::strategy::decisions::{self, Decision, DecisionInput};

#[derive(Subcommand, Debug)]
pub enum DecisionCommand {
    /// Record a decision.
    Add {
        #[command(flatten)]
        on: On,
        #[arg(long)]
        question: String,
        /// An option considered; repeat for several.
        #[arg(long = "option")]
        options: Vec<String>,
        #[arg(long)]
        decision: String,
        #[arg(long, default_value = "")]
        rationale: String,
        /// Who decided (you, when omitted).
        #[arg(long)]
        by: Option<String>,
        /// `YYYY-MM-DD` (today, when omitted).
        #[arg(long)]
        on_date: Option<String>,
        /// Id of an insight used as evidence; repeat for several.
        #[arg(long = "insight")]
        insights: Vec<i64>,
        /// Id of an initiative it concerns; repeat for several.
        #[arg(long = "initiative")]
        initiatives: Vec<i64>,
    },
    /// The decision log, newest first.
    List {
        #[command(flatten)]
        on: On,
    },
}

fn print(d: &Decision) {
    println!(
        "{:<5} {}  {}\n      → {} ({})",
        d.id, d.decided_on, d.question, d.decision, d.decided_by
    );
}

pub async fn run(db_args: &DbArgs, c: DecisionCommand) -> anyhow::Result<()> {
    let db = db_args.open(false).await?;
    match c {
        DecisionCommand::Add {
            on,
            question,
            options,
            decision,
            rationale,
            by,
            on_date,
            insights,
            initiatives,
        } => {
            let (user, ctx) = on.open(&db).await?;
            let input = DecisionInput {
                question: Some(question),
                options: Some(options),
                decision: Some(decision),
                rationale: Some(rationale),
                decided_by: by,
                decided_on: on_date,
                insights: Some(insights),
                initiatives: Some(initiatives),
            };
            let d = decisions::create(&db, &user, &ctx, input)
                .await
                .map_err(err)?;
            if on.who.json {
                return print_json(&d);
            }
            print(&d);
        }
        DecisionCommand::List { on } => {
            let (_, ctx) = on.open(&db).await?;
            let list = decisions::list(&db, &ctx).await.map_err(err)?;
            if on.who.json {
                return print_json(&list);
            }
            list.iter().for_each(print);
        }
    }
    Ok(())
}
