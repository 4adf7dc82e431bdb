//! `throughline import FILE`: bring a backlog in from another tool's export.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::item::{actor, ctx, err, Who};
use super::out::{count, print_table};
use crate::config::DbArgs;
use crate::import::detect::Format;
use crate::import::{service, Report};

/// `--format`: a format, or none for auto.
#[derive(Clone, Copy, Debug)]
pub struct FormatArg(pub Option<Format>);

fn parse_format(s: &str) -> Result<FormatArg, String> {
    Format::parse(s).map(FormatArg)
}

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// The export to read; its format is recognized from its content unless --format names it.
    #[arg(required_unless_present = "undo")]
    pub file: Option<PathBuf>,
    /// Undo an earlier import as a whole (its id is in its report, `import_id`): the items it
    /// created are deleted and those it updated get back what they had, while nothing has
    /// touched them since.
    #[arg(long, value_name = "IMPORT_ID", conflicts_with_all = ["file", "dry_run", "report"])]
    pub undo: Option<i64>,
    /// The file's format: auto (recognized from the content), jira-csv, jira-xml, jira-json,
    /// trello, github, linear, asana, pivotal, plane, taiga, tracker-csv, story-points-csv.
    #[arg(long, default_value = "auto", value_parser = parse_format)]
    pub format: FormatArg,
    #[command(flatten)]
    pub who: Who,
    /// The product that receives the items, by key.
    #[arg(long, short = 'p')]
    pub product: String,
    /// Read and map everything and print the report, but write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Also write the report, as JSON, to this file.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// What the file's epics become: initiatives of the product, with their children linked
    /// (the default), or items, parents of their children.
    #[arg(long, value_name = "initiatives|items", default_value = "initiatives",
          value_parser = crate::import::epics::parse_as, action = clap::ArgAction::Set)]
    pub epics_as: bool,
}

pub async fn run(db_args: &DbArgs, a: ImportArgs) -> anyhow::Result<()> {
    let db = db_args.open(false).await?;
    let user = actor(&db, &a.who).await?;
    let ctx = ctx(&db, &user, &a.who, &a.product).await?;
    let Some(file) = &a.file else {
        let id = a.undo.unwrap_or_default();
        let undone = crate::import::undo::undo(&db, &user, &ctx, id)
            .await
            .map_err(|e| match e {
                crate::error::Error::NotFound => {
                    anyhow::anyhow!("no import {id} in {} {}", a.who.workspace, a.product)
                }
                other => err(other),
            })?;
        if a.who.json {
            println!("{}", serde_json::to_string_pretty(&undone)?);
        } else {
            println!("import {id} undone: {}", undone.summary());
        }
        return Ok(());
    };
    let bytes =
        std::fs::read(file).map_err(|e| anyhow::anyhow!("reading {}: {e}", file.display()))?;
    let bar = progress_bar(&bytes, a.format.0, a.who.json);
    let opts = service::Options {
        dry_run: a.dry_run,
        format: a.format.0,
        progress: bar.as_ref().map(|(_, counter)| counter.clone()),
        epics_as_items: a.epics_as,
    };
    let ticker = bar.as_ref().map(|(bar, counter)| {
        let (bar, counter) = (bar.clone(), counter.clone());
        tokio::spawn(async move {
            loop {
                bar.set_position(counter.load(Ordering::Relaxed) as u64);
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        })
    });
    let outcome = service::import(&db, &user, &ctx, &bytes, opts).await;
    if let Some(t) = ticker {
        t.abort();
    }
    if let Some((bar, _)) = &bar {
        bar.finish_and_clear();
    }
    let report = outcome.map_err(|e| match e {
        crate::error::Error::Invalid { field, message } if field == "file" => {
            anyhow::anyhow!("{}: {message}", file.display())
        }
        other => err(other),
    })?;
    if let Some(path) = &a.report {
        std::fs::write(path, serde_json::to_string_pretty(&report)? + "\n")
            .map_err(|e| anyhow::anyhow!("--report {}: {e}", path.display()))?;
    }
    if a.who.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_report(&report);
    }
    Ok(())
}

/// A progress bar on stderr, only for a person watching a terminal (not with `--json`, not
/// when stderr is a file or a pipe, so scripts and tests see the output unchanged), with the
/// counter the import advances. The file is read once more here for its item count; a file
/// that cannot be read gets no bar and the import says why.
fn progress_bar(
    bytes: &[u8],
    format: Option<Format>,
    json: bool,
) -> Option<(ProgressBar, Arc<AtomicUsize>)> {
    if json || !std::io::stderr().is_terminal() {
        return None;
    }
    let total = service::read(bytes, format).ok()?.records.len() as u64;
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template("{bar:40} {pos}/{len} items {elapsed}")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    Some((bar, Arc::new(AtomicUsize::new(0))))
}

fn tally(m: &std::collections::BTreeMap<String, usize>) -> String {
    m.iter()
        .map(|(k, n)| format!("{k} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn print_report(r: &Report) {
    let n = |v: usize| i64::try_from(v).unwrap_or(i64::MAX);
    println!(
        "{}: {} read; {} created, {} updated, {} unchanged{} ({:.2} s)",
        r.format,
        count(n(r.items_read), "item", "items"),
        r.created,
        r.updated,
        r.unchanged,
        if r.dry_run {
            "; dry run, nothing written"
        } else {
            ""
        },
        r.seconds
    );
    println!("types: {}", tally(&r.by_type));
    println!("statuses: {}", tally(&r.by_status));
    println!(
        "with a parent: {}; points: {}; with acceptance criteria: {}",
        r.with_parent, r.points_total, r.with_criteria
    );
    if r.people > 0 {
        println!(
            "people: {} named ({} found among the members, {} added as placeholders); {} with an assignee, {} with a reporter",
            r.people, r.people_matched, r.people_created, r.with_assignee, r.with_reporter
        );
    }
    if r.comments > 0 {
        println!(
            "comments: {} in the file, {} added",
            r.comments, r.comments_added
        );
    }
    if r.blocking_links > 0 {
        println!(
            "blocking links: {} ({} dependencies added)",
            r.blocking_links, r.dependencies_added
        );
    }
    if r.watchers_added > 0 {
        println!("watchers added: {}", r.watchers_added);
    }
    if r.epics > 0 {
        println!(
            "epics: {} ({} initiatives created, {} updated, {} items linked to them)",
            r.epics, r.initiatives_created, r.initiatives_updated, r.linked_to_initiatives
        );
    }
    if r.with_sprint > 0 {
        let verb = if r.dry_run { "would be " } else { "" };
        println!(
            "sprints: {} distinct ({} items name one, {} carried over from an earlier one); {verb}created {}, updated {}, of them closed {}",
            r.sprints.len(),
            r.with_sprint,
            r.carried_over,
            r.sprints_created,
            r.sprints_updated,
            r.sprints_closed
        );
    }
    println!("\nmapped from the file:");
    let mut rows: Vec<Vec<String>> = Vec::new();
    for (what, list) in [("type", &r.types), ("status", &r.statuses)] {
        for m in list {
            rows.push(vec![
                format!("  {what}"),
                format!("{:?}", m.from),
                format!("→ {}", m.to),
                m.count.to_string(),
            ]);
        }
    }
    print_table(&rows, &[false, false, false, true]);
    println!("\ncolumns used:");
    let used: Vec<Vec<String>> = r
        .columns_used
        .iter()
        .map(|c| vec![format!("  {}", column_name(c)), c.note.clone()])
        .collect();
    print_table(&used, &[]);
    if !r.columns_not_mapped.is_empty() {
        println!("\ncolumns not mapped:");
        let rows: Vec<Vec<String>> = r
            .columns_not_mapped
            .iter()
            .map(|c| {
                vec![
                    format!("  {}", column_name(c)),
                    format!("{} filled", c.filled),
                    c.note.clone(),
                ]
            })
            .collect();
        print_table(&rows, &[false, true]);
    }
    if !r.points_rounded.is_empty() {
        println!("\npoints rounded to two decimals:");
        for p in &r.points_rounded {
            println!("  {}: {} → {}", p.key, p.from, p.to);
        }
    }
    if !r.notes.is_empty() {
        println!("\nnotes:");
        for note in &r.notes {
            println!("  {note}");
        }
    }
    if let Some(id) = r.import_id {
        println!("\nimport {id}; to undo it while nothing has touched its items: throughline import --undo {id} -w … -p …");
    }
}

fn column_name(c: &crate::import::Column) -> String {
    if c.columns > 1 {
        format!("{} (×{})", c.name, c.columns)
    } else {
        c.name.clone()
    }
}
