//! `throughline export` and `throughline restore`: a workspace out as one JSON document (or a
//! backlog as Jira CSV), and a document back into an empty database.
//!
//! Like `backup`, these are operator commands: whoever runs them holds the database itself, so
//! they take no `--as` account.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::{Args, ValueEnum};

use super::out::{count, print_table};
use crate::config::DbArgs;
use crate::export::{jira, restore, store};

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Format {
    /// The whole workspace, lossless; `throughline restore` reads it.
    Json,
    /// One product's backlog with Jira's column names (needs -p); `throughline import` reads it.
    JiraCsv,
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// Workspace address, e.g. `acme`.
    #[arg(long, short = 'w', env = "THROUGHLINE_WORKSPACE")]
    pub workspace: String,
    /// The product whose backlog to write (with --format jira-csv), by key.
    #[arg(long, short = 'p')]
    pub product: Option<String>,
    #[arg(long, value_enum, default_value = "json")]
    pub format: Format,
    /// The file to write; it must not exist yet.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Print what was written as JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct RestoreArgs {
    /// An export written by `throughline export` (format json).
    #[arg(required_unless_present = "backup")]
    pub file: Option<PathBuf>,
    /// Instead of an export: a backup file (`throughline backup`, or the server's scheduled
    /// ones) to become the database of an empty data directory (SQLite).
    #[arg(long, conflicts_with = "file")]
    pub backup: Option<PathBuf>,
    /// Print what was restored as JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// A file being written beside its final name, linked into place once complete: a failed
/// export leaves no half-written file behind, and an existing file is never overwritten.
struct Partial {
    tmp: PathBuf,
    out: PathBuf,
}

impl Partial {
    fn create(out: &Path) -> anyhow::Result<(Partial, std::io::BufWriter<std::fs::File>)> {
        if out.exists() {
            anyhow::bail!(
                "--out {}: the file already exists; choose a new one",
                out.display()
            );
        }
        let name = out
            .file_name()
            .ok_or_else(|| anyhow::anyhow!("--out {}: not a file name", out.display()))?;
        let tmp = out.with_file_name(format!(
            ".{}.{}.partial",
            name.to_string_lossy(),
            std::process::id()
        ));
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .map_err(|e| anyhow::anyhow!("--out {}: {e}", out.display()))?;
        let partial = Partial {
            tmp,
            out: out.to_path_buf(),
        };
        Ok((partial, std::io::BufWriter::new(file)))
    }

    fn finish(self, w: std::io::BufWriter<std::fs::File>) -> anyhow::Result<()> {
        let fail = |e: std::io::Error| anyhow::anyhow!("--out {}: {e}", self.out.display());
        let file = w.into_inner().map_err(|e| fail(e.into_error()))?;
        file.sync_all().map_err(fail)?;
        std::fs::hard_link(&self.tmp, &self.out).map_err(fail)
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.tmp);
    }
}

pub async fn export(db_args: &DbArgs, a: ExportArgs) -> anyhow::Result<()> {
    let db = db_args.open(false).await?;
    let started = Instant::now();
    match a.format {
        Format::Json => {
            if a.product.is_some() {
                anyhow::bail!("-p: the JSON export holds the whole workspace; use --format jira-csv for one backlog");
            }
            let (partial, mut file) = Partial::create(&a.out)?;
            let summary =
                store::write_document(&db, &a.workspace, store::Sink::Writer(Box::new(&mut file)))
                    .await
                    .map_err(|e| anyhow::anyhow!("-w {}: {e}", a.workspace))?;
            partial.finish(file)?;
            let seconds = started.elapsed().as_secs_f64();
            if a.json {
                let mut v = serde_json::to_value(&summary)?;
                v["file"] = a.out.display().to_string().into();
                v["seconds"] = seconds.into();
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                println!(
                    "exported {} to {}: {} in {}, {} bytes ({seconds:.2} s)",
                    a.workspace,
                    a.out.display(),
                    count(summary.rows() as i64, "row", "rows"),
                    count(
                        summary.tables.iter().filter(|t| t.rows > 0).count() as i64,
                        "table",
                        "tables"
                    ),
                    summary.bytes
                );
                let rows: Vec<Vec<String>> = summary
                    .tables
                    .iter()
                    .filter(|t| t.rows > 0)
                    .map(|t| {
                        vec![
                            format!("  {}", t.table),
                            t.rows.to_string(),
                            t.bytes.to_string(),
                        ]
                    })
                    .collect();
                print_table(&rows, &[false, true, true]);
            }
        }
        Format::JiraCsv => {
            let product = a
                .product
                .as_deref()
                .ok_or_else(|| anyhow::anyhow!("--format jira-csv needs -p PRODUCT"))?;
            let w_id = store::workspace_id(&db, &a.workspace)
                .await
                .map_err(|e| anyhow::anyhow!("-w {}: {e}", a.workspace))?;
            let p = crate::workspace::store::products(&db, w_id)
                .await?
                .into_iter()
                .find(|p| p.key.eq_ignore_ascii_case(product))
                .ok_or_else(|| {
                    anyhow::anyhow!("-p {product}: no such product in {}", a.workspace)
                })?;
            let rows = jira::rows(&db, p.id, &p.key).await?;
            let text = jira::to_csv(&rows)?;
            let (partial, mut file) = Partial::create(&a.out)?;
            file.write_all(text.as_bytes())
                .map_err(|e| anyhow::anyhow!("--out {}: {e}", a.out.display()))?;
            partial.finish(file)?;
            if a.json {
                let v = serde_json::json!({"file": a.out.display().to_string(), "product": p.key,
                    "items": rows.len(), "bytes": text.len()});
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                println!(
                    "exported the {} backlog to {}: {}, {} bytes",
                    p.key,
                    a.out.display(),
                    count(rows.len() as i64, "item", "items"),
                    text.len()
                );
            }
        }
    }
    db.close().await;
    Ok(())
}

pub async fn restore(db_args: &DbArgs, a: RestoreArgs) -> anyhow::Result<()> {
    let file = match (&a.backup, &a.file) {
        (Some(backup), _) => return super::backups::restore(db_args, backup).await,
        (None, Some(file)) => file,
        (None, None) => anyhow::bail!("give an export FILE, or --backup FILE"),
    };
    let bytes =
        std::fs::read(file).map_err(|e| anyhow::anyhow!("reading {}: {e}", file.display()))?;
    // A restore that fails must leave no new database file behind.
    let created = match db_args.target()? {
        crate::db::Target::Sqlite(path) if !path.exists() => Some(path),
        _ => None,
    };
    let db = db_args.open(true).await?;
    let started = Instant::now();
    let done = restore::restore(&db, &bytes).await.map_err(|e| match e {
        crate::error::Error::Invalid { message, .. } => {
            anyhow::anyhow!("{}: {message}", file.display())
        }
        other => anyhow::anyhow!("{other}"),
    });
    db.close().await;
    if let (Err(_), Some(path)) = (&done, &created) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
    let done = done?;
    let seconds = started.elapsed().as_secs_f64();
    if a.json {
        let mut v = serde_json::to_value(&done)?;
        v["seconds"] = seconds.into();
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        println!(
            "restored workspace {}: {} (schema version {}, {seconds:.2} s)",
            done.workspace,
            count(done.rows as i64, "row", "rows"),
            done.schema
        );
    }
    Ok(())
}
