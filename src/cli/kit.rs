//! `throughline doc kit`: a hand-off kit as a zip or a folder; `doc kit-include`,
//! `kit-exclude` and `kit-exceptions`: the Product Owner's exceptions for unready items.

use std::path::PathBuf;

use clap::Args;

use super::strategy::{err, print_json, On};
use crate::db::Db;
use crate::docs::kit::exceptions::{self, KitExceptionInput};
use crate::docs::kit::{archive, make, Scope};

#[derive(Args, Debug)]
pub struct KitArgs {
    #[command(flatten)]
    on: On,
    /// The initiative's id (give exactly one of --initiative, --release, --sprint).
    #[arg(long)]
    initiative: Option<i64>,
    #[arg(long)]
    release: Option<i64>,
    #[arg(long)]
    sprint: Option<i64>,
    /// The server's address, for the kit's links and MCP connections.
    #[arg(
        long,
        env = "THROUGHLINE_BASE_URL",
        default_value = "http://127.0.0.1:8080"
    )]
    base_url: String,
    /// Where to write: a path ending in `.zip` gets the zip, any other a folder of files
    /// [default: NAME.zip in the current folder].
    #[arg(long, value_name = "PATH")]
    out: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct IncludeArgs {
    #[command(flatten)]
    on: On,
    /// The item's key, e.g. `ONB-42`.
    key: String,
    /// Why it goes to the builders although it is not ready.
    #[arg(long)]
    reason: String,
}

#[derive(Args, Debug)]
pub struct ExcludeArgs {
    #[command(flatten)]
    on: On,
    key: String,
}

pub async fn kit(db: &Db, a: KitArgs) -> anyhow::Result<()> {
    let scope = Scope::from_params(a.initiative, a.release, a.sprint).map_err(err)?;
    let (_, ctx) = a.on.open(db).await?;
    let kit = make(db, &ctx, scope, &a.base_url).await.map_err(err)?;
    let out = a
        .out
        .unwrap_or_else(|| PathBuf::from(format!("{}.zip", kit.manifest.name)));
    let fail = |e: std::io::Error| anyhow::anyhow!("--out {}: {e}", out.display());
    if out.extension().is_some_and(|e| e == "zip") {
        // Written beside the target and moved into place: a failure leaves no half file.
        let bytes = archive::zip(&kit).map_err(err)?;
        let mut tmp = out.clone().into_os_string();
        tmp.push(".partial");
        std::fs::write(&tmp, bytes).map_err(fail)?;
        std::fs::rename(&tmp, &out).map_err(fail)?;
    } else {
        archive::write_dir(&kit, &out).map_err(fail)?;
    }
    if a.on.who.json {
        return print_json(&kit.manifest);
    }
    let went_in = kit
        .manifest
        .items
        .iter()
        .filter(|i| i.included != "left_out")
        .count();
    eprintln!(
        "wrote {} ({} files; {} of {} items in scope went in)",
        out.display(),
        kit.files.len(),
        went_in,
        kit.manifest.items.len()
    );
    Ok(())
}

pub async fn include(db: &Db, a: IncludeArgs) -> anyhow::Result<()> {
    let (user, ctx) = a.on.open(db).await?;
    let input = KitExceptionInput {
        item: a.key,
        reason: a.reason,
    };
    let list = exceptions::include(db, &user, &ctx, &input)
        .await
        .map_err(err)?;
    show(a.on.who.json, &list)
}

pub async fn exclude(db: &Db, a: ExcludeArgs) -> anyhow::Result<()> {
    let (user, ctx) = a.on.open(db).await?;
    let list = exceptions::remove(db, &user, &ctx, &a.key)
        .await
        .map_err(err)?;
    show(a.on.who.json, &list)
}

pub async fn list(db: &Db, on: On) -> anyhow::Result<()> {
    let (_, ctx) = on.open(db).await?;
    let list = exceptions::list(db, &ctx).await.map_err(err)?;
    show(on.who.json, &list)
}

fn show(json: bool, list: &[exceptions::KitException]) -> anyhow::Result<()> {
    if json {
        return print_json(&list);
    }
    if list.is_empty() {
        println!("No kit exception: only ready items go into hand-off kits.");
    }
    for e in list {
        println!("{}  {}  (by {}: {})", e.item, e.title, e.by, e.reason);
    }
    Ok(())
}
