//! `throughline signoff ...`: stakeholders, sign-off requests and answers from a terminal.

use clap::Subcommand;

use super::strategy::{err, print_json, On};
use crate::config::DbArgs;
use crate::roadmap::signoff::{self, AnswerInput, Request, RequestInput, StakeholderInput};

#[derive(Subcommand, Debug)]
pub enum SignoffCommand {
    /// Name a workspace member as a stakeholder in a group (exec, sales, marketing, legal, support, engineering).
    Stakeholder {
        #[command(flatten)]
        on: On,
        /// The member's e-mail.
        member: String,
        #[arg(long)]
        group: String,
    },
    /// Ask the stakeholders to sign off the roadmap as it is now, or a decision with --decision.
    Request {
        #[command(flatten)]
        on: On,
        #[arg(long)]
        title: String,
        #[arg(long)]
        decision: Option<i64>,
    },
    /// Requests with their status.
    List {
        #[command(flatten)]
        on: On,
    },
    /// Answer a request as a stakeholder: approve, or request changes with a comment.
    Answer {
        #[command(flatten)]
        on: On,
        id: i64,
        #[arg(long, conflicts_with = "changes", required_unless_present = "changes")]
        approve: bool,
        #[arg(long)]
        changes: bool,
        #[arg(long, default_value = "")]
        comment: String,
    },
}

fn print(r: &Request) {
    println!(
        "{:<5} {:<18} {:<8} {}  waiting for: {}",
        r.id,
        r.status,
        r.subject,
        r.title,
        r.waiting_for.join(", ")
    );
}

pub async fn run(db_args: &DbArgs, c: SignoffCommand) -> anyhow::Result<()> {
    let db = db_args.open(false).await?;
    match c {
        SignoffCommand::Stakeholder { on, member, group } => {
            let (user, ctx) = on.open(&db).await?;
            let who = crate::auth::store::find_by_email(&db, &member)
                .await?
                .ok_or_else(|| anyhow::anyhow!("no account with e-mail {member}"))?;
            let list = signoff::set_stakeholder(
                &db,
                &user,
                &ctx,
                &StakeholderInput {
                    user_id: who.id,
                    group,
                },
            )
            .await
            .map_err(err)?;
            if on.who.json {
                return print_json(&list);
            }
            list.iter()
                .for_each(|s| println!("{:<12} {}", s.grp, s.name));
        }
        SignoffCommand::Request {
            on,
            title,
            decision,
        } => {
            let (user, ctx) = on.open(&db).await?;
            let input = RequestInput {
                subject: if decision.is_some() {
                    "decision"
                } else {
                    "roadmap"
                }
                .into(),
                decision,
                title,
            };
            let r = signoff::request(&db, &user, &ctx, &input)
                .await
                .map_err(err)?;
            if on.who.json {
                return print_json(&r);
            }
            print(&r);
        }
        SignoffCommand::List { on } => {
            let (_, ctx) = on.open(&db).await?;
            let list = signoff::list(&db, &ctx).await.map_err(err)?;
            if on.who.json {
                return print_json(&list);
            }
            list.iter().for_each(print);
        }
        SignoffCommand::Answer {
            on,
            id,
            approve,
            changes: _,
            comment,
        } => {
            let (user, ctx) = on.open(&db).await?;
            let a = AnswerInput {
                answer: if approve {
                    "approve"
                } else {
                    "request_changes"
                }
                .into(),
                comment,
            };
            let r = signoff::answer(&db, &user, &ctx, id, &a)
                .await
                .map_err(err)?;
            if on.who.json {
                return print_json(&r);
            }
            print(&r);
        }
    }
    Ok(())
}
