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
    /// The initiative's id: required for a blueprint; a plan without one covers the product.
    #[arg(long)]
    initiative: Option<i64>,
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
    /// The Solution Blueprint of one initiative (--initiative).
    Blueprint(DocArgs),
    /// The Implementation Plan of an initiative, or of the product's open backlog.
    Plan(DocArgs),
    /// The hand-off kit of an initiative, release or sprint, as a zip or a folder.
    Kit(super::kit::KitArgs),
    /// Let an item that is not ready into hand-off kits, with a reason (Product Owner).
    KitInclude(super::kit::IncludeArgs),
    /// Take a kit exception back (Product Owner).
    KitExclude(super::kit::ExcludeArgs),
    /// The items let into kits although not ready, with why.
    KitExceptions(On),
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
