//! `throughline competitor ...`: competitors, capabilities and the capability grid.

use clap::Subcommand;

use super::strategy::{err, print_json, On};
use crate::config::DbArgs;
use crate::strategy::competitors::{self, Cell, CompetitorInput, Matrix};

#[derive(Subcommand, Debug)]
pub enum CompetitorCommand {
    /// Add a competitor.
    Add {
        #[command(flatten)]
        on: On,
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "")]
        positioning: String,
        #[arg(long, default_value = "")]
        strengths: String,
        #[arg(long, default_value = "")]
        weaknesses: String,
        /// Our positioning statement against this competitor.
        #[arg(long, default_value = "")]
        ours: String,
    },
    /// Add a capability to the grid, with our own rating.
    Capability {
        #[command(flatten)]
        on: On,
        name: String,
        #[arg(long, default_value = "unknown")]
        ours: String,
    },
    /// Rate a capability for a competitor (or for us with --us): has, partial, no, unknown.
    Rate {
        #[command(flatten)]
        on: On,
        #[arg(long)]
        capability: i64,
        #[arg(long, conflicts_with = "us", required_unless_present = "us")]
        competitor: Option<i64>,
        #[arg(long)]
        us: bool,
        rating: String,
    },
    /// Print the grid.
    Matrix {
        #[command(flatten)]
        on: On,
    },
}

/// The grid: one line per capability (with the id `competitor rate --capability` takes), one
/// column for us and one per competitor (headed by name and the id `--competitor` takes).
fn print(m: &Matrix) {
    let mut head = vec!["id".to_string(), "capability".into(), "us".into()];
    head.extend(
        m.competitors
            .iter()
            .map(|c| format!("{} #{}", c.name, c.id)),
    );
    let mut rows = vec![head];
    for c in &m.capabilities {
        let mut row = vec![c.id.to_string(), c.name.clone(), c.ours.clone()];
        row.extend(c.ratings.iter().cloned());
        rows.push(row);
    }
    super::out::print_table(&rows, &[true]);
}

pub async fn run(db_args: &DbArgs, c: CompetitorCommand) -> anyhow::Result<()> {
    let db = db_args.open(false).await?;
    let (on, m) = match c {
        CompetitorCommand::Add {
            on,
            name,
            positioning,
            strengths,
            weaknesses,
            ours,
        } => {
            let (user, ctx) = on.open(&db).await?;
            let input = CompetitorInput {
                name: Some(name),
                positioning: Some(positioning),
                strengths: Some(strengths),
                weaknesses: Some(weaknesses),
                our_positioning: Some(ours),
            };
            let c = competitors::save_competitor(&db, &user, &ctx, None, input)
                .await
                .map_err(err)?;
            if on.who.json {
                return print_json(&c);
            }
            println!("competitor {}  {}", c.id, c.name);
            return Ok(());
        }
        CompetitorCommand::Capability { on, name, ours } => {
            let (user, ctx) = on.open(&db).await?;
            (
                on,
                competitors::add_capability(&db, &user, &ctx, &name, &ours)
                    .await
                    .map_err(err)?,
            )
        }
        CompetitorCommand::Rate {
            on,
            capability,
            competitor,
            us,
            rating,
        } => {
            let (user, ctx) = on.open(&db).await?;
            let cell = Cell {
                capability,
                competitor: if us { None } else { competitor },
                rating,
            };
            (
                on,
                competitors::set_cells(&db, &user, &ctx, &[cell])
                    .await
                    .map_err(err)?,
            )
        }
        CompetitorCommand::Matrix { on } => {
            let (_, ctx) = on.open(&db).await?;
            (on, competitors::matrix(&db, &ctx).await.map_err(err)?)
        }
    };
    if on.who.json {
        return print_json(&m);
    }
    print(&m);
    Ok(())
}
