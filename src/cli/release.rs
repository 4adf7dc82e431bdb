//! `throughline release|launch ...`: releases with what they ship, and launch checklists.

use clap::Subcommand;

use super::strategy::{err, print_json, On};
use crate::config::DbArgs;
use crate::roadmap::releases::{self, LaunchInput, Release, ReleaseInput, TaskInput};

#[derive(Subcommand, Debug)]
pub enum ReleaseCommand {
    /// Plan a release with the backlog items (and initiatives) it ships.
    Add {
        #[command(flatten)]
        on: On,
        #[arg(long)]
        name: String,
        /// `YYYY-MM-DD`.
        #[arg(long)]
        date: String,
        #[arg(long = "item")]
        items: Vec<String>,
        #[arg(long = "initiative")]
        initiatives: Vec<i64>,
    },
    /// Releases with their launches and readiness.
    List {
        #[command(flatten)]
        on: On,
    },
}

#[derive(Subcommand, Debug)]
pub enum LaunchCommand {
    /// Plan a launch for a release.
    Add {
        #[command(flatten)]
        on: On,
        #[arg(long)]
        release: i64,
        #[arg(long)]
        name: String,
        #[arg(long)]
        date: String,
    },
    /// Add a checklist task (function: marketing, sales_enablement, docs, support, legal).
    Task {
        #[command(flatten)]
        on: On,
        launch: i64,
        #[arg(long)]
        function: String,
        #[arg(long)]
        title: String,
        #[arg(long, default_value = "")]
        owner: String,
        #[arg(long)]
        due: String,
    },
    /// Mark a checklist task done (or not, with --undo).
    Done {
        #[command(flatten)]
        on: On,
        task: i64,
        #[arg(long)]
        undo: bool,
    },
}

fn print(list: &[Release]) {
    for r in list {
        println!(
            "{:<5} {}  {} ({}) ships {}",
            r.id,
            r.target_date,
            r.name,
            r.status,
            r.items.join(" ")
        );
        for l in &r.launches {
            let ready = l
                .readiness
                .map(|p| format!("{p}% ready"))
                .unwrap_or_else(|| "no checklist".into());
            println!(
                "      launch {} {}  {} — {ready}",
                l.id, l.target_date, l.name
            );
            for t in &l.tasks {
                println!(
                    "        [{}] {:<5} {:<16} {} ({}, due {})",
                    if t.done { "x" } else { " " },
                    t.id,
                    t.function,
                    t.title,
                    t.owner,
                    t.due_on
                );
            }
        }
    }
}

fn show(on: &On, list: Vec<Release>) -> anyhow::Result<()> {
    if on.who.json {
        return print_json(&list);
    }
    print(&list);
    Ok(())
}

pub async fn release(db_args: &DbArgs, c: ReleaseCommand) -> anyhow::Result<()> {
    let db = db_args.open(false).await?;
    match c {
        ReleaseCommand::Add {
            on,
            name,
            date,
            items,
            initiatives,
        } => {
            let (user, ctx) = on.open(&db).await?;
            let input = ReleaseInput {
                name: Some(name),
                target_date: Some(date),
                status: None,
                items: Some(items),
                initiatives: Some(initiatives),
            };
            let r = releases::save(&db, &user, &ctx, None, input)
                .await
                .map_err(err)?;
            show(&on, vec![r])
        }
        ReleaseCommand::List { on } => {
            let (_, ctx) = on.open(&db).await?;
            show(&on, releases::list(&db, &ctx).await.map_err(err)?)
        }
    }
}

pub async fn launch(db_args: &DbArgs, c: LaunchCommand) -> anyhow::Result<()> {
    let db = db_args.open(false).await?;
    let (on, r) = match c {
        LaunchCommand::Add {
            on,
            release,
            name,
            date,
        } => {
            let (user, ctx) = on.open(&db).await?;
            let r = releases::add_launch(
                &db,
                &user,
                &ctx,
                release,
                &LaunchInput {
                    name,
                    target_date: date,
                },
            )
            .await
            .map_err(err)?;
            (on, r)
        }
        LaunchCommand::Task {
            on,
            launch,
            function,
            title,
            owner,
            due,
        } => {
            let (user, ctx) = on.open(&db).await?;
            let r = releases::add_task(
                &db,
                &user,
                &ctx,
                launch,
                &TaskInput {
                    function,
                    title,
                    owner,
                    due_on: due,
                },
            )
            .await
            .map_err(err)?;
            (on, r)
        }
        LaunchCommand::Done { on, task, undo } => {
            let (user, ctx) = on.open(&db).await?;
            let r = releases::set_task_done(&db, &user, &ctx, task, !undo)
                .await
                .map_err(err)?;
            (on, r)
        }
    };
    show(&on, vec![r])
}
