//! `throughline roadmap ...`: the workspace roadmap in a terminal, and its share links.

use clap::Subcommand;

use super::item::Who;
use super::strategy::{err, print_json, On};
use crate::auth::store;
use crate::config::DbArgs;
use crate::roadmap::store::{load, Filter};
use crate::roadmap::{share, Horizon};
use crate::workspace::store as ws_store;

#[derive(Subcommand, Debug)]
pub enum RoadmapCommand {
    /// Print the roadmap: now / next / later (default) or by quarter with --by-quarter.
    Show {
        #[command(flatten)]
        who: Who,
        #[arg(long, short = 'p')]
        product: Option<String>,
        #[arg(long)]
        status: Option<String>,
        /// Id of a quarterly priority.
        #[arg(long)]
        priority: Option<i64>,
        #[arg(long)]
        by_quarter: bool,
    },
    /// Create a read-only link to a product's roadmap; prints its path once.
    Share {
        #[command(flatten)]
        on: On,
        #[arg(long, default_value = "")]
        label: String,
    },
    /// List a product's share links.
    Links {
        #[command(flatten)]
        on: On,
    },
    /// Revoke a share link.
    Revoke {
        #[command(flatten)]
        on: On,
        id: i64,
    },
}

pub async fn run(db_args: &DbArgs, c: RoadmapCommand) -> anyhow::Result<()> {
    let db = db_args.open(false).await?;
    match c {
        RoadmapCommand::Show {
            who,
            product,
            status,
            priority,
            by_quarter,
        } => {
            let user = store::find_by_email(&db, &who.email)
                .await?
                .ok_or_else(|| anyhow::anyhow!("no account with e-mail {}", who.email))?;
            let (w, _) = ws_store::workspace_for(&db, user.id, &who.workspace)
                .await
                .map_err(err)?;
            let r = load(
                &db,
                w.id,
                &Filter {
                    product,
                    status,
                    priority,
                    team: None,
                },
            )
            .await
            .map_err(err)?;
            if who.json {
                return print_json(&r);
            }
            let line = |e: &crate::roadmap::store::Entry| {
                let p = e
                    .progress
                    .map(|p| format!("{p:>3}%"))
                    .unwrap_or_else(|| "   -".into());
                format!("  {p}  {:<6} {}", e.product, e.title)
            };
            if by_quarter {
                for q in &r.quarters {
                    println!(
                        "{q}{}",
                        if *q == r.current_quarter {
                            " (now)"
                        } else {
                            ""
                        }
                    );
                    r.entries
                        .iter()
                        .filter(|e| e.in_quarter(q))
                        .for_each(|e| println!("{}", line(e)));
                }
            } else {
                for h in Horizon::ALL {
                    println!("{}", h.title());
                    r.entries
                        .iter()
                        .filter(|e| e.horizon == h)
                        .for_each(|e| println!("{}", line(e)));
                }
            }
        }
        RoadmapCommand::Share { on, label } => {
            let (user, ctx) = on.open(&db).await?;
            let s = share::create(&db, &user, &ctx, &label).await.map_err(err)?;
            if on.who.json {
                return print_json(&s);
            }
            println!("share link {} (shown once): {}", s.share.id, s.path);
        }
        RoadmapCommand::Links { on } => {
            let (_, ctx) = on.open(&db).await?;
            let list = share::list(&db, &ctx).await.map_err(err)?;
            if on.who.json {
                return print_json(&list);
            }
            for s in &list {
                println!(
                    "{:<5} {}  {}  {}",
                    s.id,
                    s.created_at.format("%Y-%m-%d"),
                    if s.revoked_at.is_some() {
                        "revoked"
                    } else {
                        "live   "
                    },
                    s.label
                );
            }
        }
        RoadmapCommand::Revoke { on, id } => {
            let (user, ctx) = on.open(&db).await?;
            share::revoke(&db, &user, &ctx, id).await.map_err(err)?;
            println!("revoked share link {id}");
        }
    }
    Ok(())
}
