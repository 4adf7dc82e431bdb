//! `throughline doc brief|blueprint|plan`: a product's documents as Markdown or printable HTML,
//! on standard output or into a file; `--json` prints the records a document was made from.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use super::strategy::{err, print_json, On};
use crate::config::DbArgs;
use crate::docs::compose::{make, Params};
use crate::docs::print::{html, Paper};
use crate::docs::Kind;
use crate::strategy::Quarter;

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Format {
    /// Markdown, the document's own text.
    Md,
    /// A printable HTML page (the browser's "Save as PDF" makes the PDF).
    Html,
}

#[derive(Args, Debug)]
pub struct DocArgs {
    #[command(flatten)]
    on: On,
    /// The brief's quarter, e.g. `2026-Q4` (the current one by default).
    #[arg(long)]
    quarter: Option<String>,
    /// The initiative's id: a blueprint needs it or --release; a plan with neither covers the
    /// product's open backlog.
    #[arg(long)]
    initiative: Option<i64>,
    /// The release's id: the blueprint or plan of everything it ships.
    #[arg(long, conflicts_with = "initiative")]
    release: Option<i64>,
    #[arg(long, value_enum, default_value = "md")]
    format: Format,
    /// The paper an HTML document is laid out for: `a4` or `letter`.
    #[arg(long, default_value = "a4")]
    paper: String,
    /// Write the document to this file (replaced if it exists) instead of standard output.
    #[arg(long, value_name = "PATH")]
    out: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum DocCommand {
    /// The Product Strategy Brief of a quarter.
    Brief(DocArgs),
    /// The Solution Blueprint of one initiative (--initiative) or of a release (--release).
    Blueprint(DocArgs),
    /// The Implementation Plan of an initiative, a release, or the product's open backlog.
    Plan(DocArgs),
    /// The hand-off kit of an initiative, release or sprint, as a zip or a folder.
    Kit(super::kit::KitArgs),
    /// Let an item that is not ready into hand-off kits, with a reason (Product Owner).
    KitInclude(super::kit::IncludeArgs),
    /// Take a kit exception back (Product Owner).
    KitExclude(super::kit::ExcludeArgs),
    /// The items let into kits although not ready, with why.
    KitExceptions(On),
    /// Send a document for sign-off as it reads now (PM): `doc send-signoff brief --title …`.
    SendSignoff(SendArgs),
    /// A document's sign-off, with what changed since it was sent.
    Signoff(SignoffArgs),
}

#[derive(Args, Debug)]
pub struct SendArgs {
    #[command(flatten)]
    on: On,
    /// brief, blueprint or plan.
    kind: String,
    /// What the stakeholders are asked to sign off (the document's title by default).
    #[arg(long, default_value = "")]
    title: String,
    #[arg(long)]
    quarter: Option<String>,
    #[arg(long)]
    initiative: Option<i64>,
    #[arg(long, conflicts_with = "initiative")]
    release: Option<i64>,
}

#[derive(Args, Debug)]
pub struct SignoffArgs {
    #[command(flatten)]
    on: On,
    /// The sign-off request's id.
    id: i64,
}

pub async fn run(db_args: &DbArgs, c: DocCommand) -> anyhow::Result<()> {
    let (kind, a) = match c {
        DocCommand::Brief(a) => (Kind::Brief, a),
        DocCommand::Blueprint(a) => (Kind::Blueprint, a),
        DocCommand::Plan(a) => (Kind::Plan, a),
        DocCommand::Kit(a) => return super::kit::kit(&db_args.open(false).await?, a).await,
        DocCommand::KitInclude(a) => {
            return super::kit::include(&db_args.open(false).await?, a).await
        }
        DocCommand::KitExclude(a) => {
            return super::kit::exclude(&db_args.open(false).await?, a).await
        }
        DocCommand::KitExceptions(on) => {
            return super::kit::list(&db_args.open(false).await?, on).await
        }
        DocCommand::SendSignoff(a) => return send_signoff(db_args, a).await,
        DocCommand::Signoff(a) => return show_signoff(db_args, a).await,
    };
    let paper = Paper::parse(&a.paper).map_err(err)?;
    let quarter = match &a.quarter {
        Some(q) => Some(Quarter::parse(q).map_err(err)?),
        None => None,
    };
    let db = db_args.open(false).await?;
    let (_, ctx) = a.on.open(&db).await?;
    let params = Params {
        quarter,
        initiative: a.initiative,
        release: a.release,
    };
    let doc = make(&db, &ctx, kind, &params).await.map_err(err)?;
    if a.on.who.json {
        return print_json(&doc);
    }
    let text = match a.format {
        Format::Md => doc.markdown,
        Format::Html => html(&doc.title, &doc.markdown, paper).map_err(err)?,
    };
    match &a.out {
        None => print!("{text}"),
        Some(path) => {
            // Written beside the target and moved into place: a failure leaves no half file.
            let mut tmp = path.clone().into_os_string();
            tmp.push(".partial");
            let fail = |e: std::io::Error| anyhow::anyhow!("--out {}: {e}", path.display());
            std::fs::write(&tmp, text.as_bytes()).map_err(fail)?;
            std::fs::rename(&tmp, path).map_err(fail)?;
        }
    }
    Ok(())
}

async fn send_signoff(db_args: &DbArgs, a: SendArgs) -> anyhow::Result<()> {
    let kind = Kind::parse(&a.kind).map_err(err)?;
    let db = db_args.open(false).await?;
    let (user, ctx) = a.on.open(&db).await?;
    let input = crate::docs::signoff::SendInput {
        title: a.title,
        quarter: a.quarter,
        initiative: a.initiative,
        release: a.release,
    };
    let d = crate::docs::signoff::send(&db, &user, &ctx, kind, &input)
        .await
        .map_err(err)?;
    if a.on.who.json {
        return print_json(&d);
    }
    println!(
        "sign-off {} sent: \"{}\", waiting for {}",
        d.request.id,
        d.request.title,
        d.request.waiting_for.join(", ")
    );
    Ok(())
}

async fn show_signoff(db_args: &DbArgs, a: SignoffArgs) -> anyhow::Result<()> {
    let db = db_args.open(false).await?;
    let (_, ctx) = a.on.open(&db).await?;
    let d = crate::docs::signoff::view(&db, &ctx, a.id)
        .await
        .map_err(err)?;
    if a.on.who.json {
        return print_json(&d);
    }
    println!(
        "{} ({}): {}",
        d.request.title,
        d.kind,
        d.request.status.replace('_', " ")
    );
    if let Some(g) = &d.gone {
        println!("Changed since sent for sign-off: the document cannot be written now ({g}).");
    } else if d.changed {
        println!("Changed since sent for sign-off:");
        for c in &d.records {
            let v = |v: Option<i64>| v.map_or("–".to_string(), |v| v.to_string());
            println!(
                "  {} {}: version {} → {}",
                c.kind,
                c.key,
                v(c.then),
                v(c.now)
            );
        }
        print!("{}", d.diff);
    } else {
        println!("Unchanged since sent for sign-off.");
    }
    Ok(())
}
