//! `throughline audit`: a workspace's audit log for its admins, narrowed like the page and the
//! API (`--actor --action --since --until`), as a table, JSON, or every entry as CSV.

use clap::Args;

use super::flags::flag_err;
use super::item::Who;
use super::out::print_table;
use super::strategy::print_json;
use crate::audit::filter::FilterParams;
use crate::audit::{export, store};
use crate::config::DbArgs;

#[derive(Args, Debug)]
pub struct AuditArgs {
    #[command(flatten)]
    who: Who,
    /// Only changes by this account (its e-mail).
    #[arg(long)]
    actor: Option<String>,
    /// Only this action, as recorded (`item.update`).
    #[arg(long)]
    action: Option<String>,
    /// From this day on (YYYY-MM-DD, UTC).
    #[arg(long)]
    since: Option<String>,
    /// Up to and including this day (YYYY-MM-DD, UTC).
    #[arg(long)]
    until: Option<String>,
    /// How many of the newest entries to show.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(i64).range(1..=1000))]
    limit: i64,
    /// Every entry the filter keeps, oldest first, as CSV (safe to open in a spreadsheet).
    #[arg(long, conflicts_with = "json")]
    csv: bool,
}

pub async fn run(db_args: &DbArgs, a: AuditArgs) -> anyhow::Result<()> {
    let db = db_args.open(false).await?;
    let (_, w, admin) = super::workspace::workspace(&db, &a.who).await?;
    if !admin {
        anyhow::bail!("only the admins of {} read its whole audit log", w.slug);
    }
    let flags = [
        ("actor", "--actor"),
        ("action", "--action"),
        ("since", "--since"),
        ("until", "--until"),
    ];
    let filter = FilterParams {
        actor: a.actor,
        action: a.action,
        since: a.since,
        until: a.until,
    }
    .filter()
    .map_err(|e| flag_err(e, &flags))?;
    if a.csv {
        let entries = export::gather(&db, w.id, &filter)
            .await
            .map_err(|e| flag_err(e, &[]))?;
        print!("{}", export::to_csv(&entries)?);
        return Ok(());
    }
    let entries = store::filtered(&db, w.id, &filter, None, a.limit).await?;
    if a.who.json {
        return print_json(&entries);
    }
    if entries.is_empty() {
        println!("no entry matches");
        return Ok(());
    }
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            vec![
                e.at.format("%Y-%m-%d %H:%M").to_string(),
                e.actor.clone().unwrap_or_else(|| "the server".into()),
                e.action.clone(),
                format!("{} {}", e.entity_type, e.entity_id),
                e.reason.clone().unwrap_or_default(),
            ]
        })
        .collect();
    print_table(&rows, &[false; 5]);
    Ok(())
}
