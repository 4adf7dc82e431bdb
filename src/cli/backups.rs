//! `throughline backup`: a copy on demand (`--out FILE [--verify]`), the server's scheduled
//! backups (`backup list`), and `restore --backup FILE` into an empty data directory.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use crate::backup::store;
use crate::config::{BackupSettings, DbArgs};
use crate::db::Target;

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct BackupArgs {
    #[command(subcommand)]
    pub command: Option<BackupCommand>,
    /// File to write the copy to (SQLite).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Open the copy and check it: integrity, migrations, and row counts against the source.
    #[arg(long)]
    pub verify: bool,
}

#[derive(Subcommand, Debug)]
pub enum BackupCommand {
    /// The server's scheduled backups, newest first: name, size, age.
    List {
        #[command(flatten)]
        settings: BackupSettings,
        /// Print them as JSON.
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(db_args: &DbArgs, a: BackupArgs) -> anyhow::Result<()> {
    match a.command {
        Some(BackupCommand::List { settings, json }) => list(&settings.dir(db_args), json),
        None => copy(db_args, a.out, a.verify).await,
    }
}

fn list(dir: &Path, json: bool) -> anyhow::Result<()> {
    let files = crate::backup::list(dir)
        .map_err(|e| anyhow::anyhow!("reading the backup folder {}: {e}", dir.display()))?;
    if json {
        println!("{}", serde_json::to_string_pretty(&files)?);
        return Ok(());
    }
    if files.is_empty() {
        println!("no backups in {}", dir.display());
        return Ok(());
    }
    let now = chrono::Utc::now();
    let mut rows = vec![vec!["name".into(), "size".into(), "age".into(), "".into()]];
    for f in &files {
        rows.push(vec![
            f.name.clone(),
            crate::backup::size(f.bytes),
            crate::backup::age(now - f.taken_at),
            if f.verified {
                ""
            } else {
                "cut short, not verified"
            }
            .into(),
        ]);
    }
    for line in super::out::table(&rows, &[false, true, true, false]) {
        println!("{}", line.trim_end());
    }
    if let Some(w) = crate::backup::stale_warning(crate::backup::newest_good(&files), now) {
        println!("warning: {w}");
    }
    Ok(())
}

/// `backup --out FILE [--verify]`: a copy on demand (SQLite), or the pg_dump command to run.
async fn copy(db_args: &DbArgs, out: Option<PathBuf>, verify: bool) -> anyhow::Result<()> {
    let url = match db_args.target()? {
        Target::Postgres(url) => url,
        Target::Sqlite(_) => return copy_sqlite(db_args, out, verify).await,
    };
    let safe = url::Url::parse(&url).map(|mut u| {
        let _ = u.set_password(None);
        u.to_string()
    })?;
    let file = out
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "throughline.dump".into());
    if verify {
        anyhow::bail!("--verify checks an SQLite copy; check a pg_dump file with `pg_restore --list '{file}'`");
    }
    println!("PostgreSQL is backed up with its own tool; run:\n  pg_dump --format=custom --file='{file}' '{safe}'");
    Ok(())
}

async fn copy_sqlite(db_args: &DbArgs, out: Option<PathBuf>, verify: bool) -> anyhow::Result<()> {
    let out = out.ok_or_else(|| {
        anyhow::anyhow!("give --out FILE for the copy (or `backup list` for the server's backups)")
    })?;
    if out.exists() {
        anyhow::bail!("{} already exists; choose a new file", out.display());
    }
    let db = db_args.open(false).await?;
    let copied = store::vacuum_into(&db, &out).await;
    let checked = match (copied, verify) {
        (Err(e), _) => Err(e),
        (Ok(()), false) => Ok(None),
        (Ok(()), true) => verify_against(&db, &out).await.map(Some),
    };
    db.close().await;
    match checked? {
        None => println!("backed up to {}", out.display()),
        Some(c) => println!(
            "backed up to {} and verified: integrity ok, schema version {}, {} tables and {} rows as in the source",
            out.display(),
            c.schema(),
            c.tables.len(),
            c.rows()
        ),
    }
    Ok(())
}

/// The copy's check, its full schema, and the same tables with the same row counts as the source.
async fn verify_against(db: &crate::db::Db, copy: &Path) -> anyhow::Result<store::Checked> {
    let crate::db::Pool::Sqlite(source) = &db.read else {
        anyhow::bail!("--verify checks an SQLite copy");
    };
    let checked = store::check(copy).await?;
    crate::backup::schema_fits(&checked.applied, &crate::db::migration_versions().0, true)
        .map_err(|e| anyhow::anyhow!("the copy {}: {e}", copy.display()))?;
    let original = store::table_counts(source).await?;
    if checked.tables != original {
        let differ: Vec<String> = original
            .iter()
            .filter(|t| !checked.tables.contains(t))
            .map(|(name, n)| {
                let c = checked
                    .tables
                    .iter()
                    .find(|(c, _)| c == name)
                    .map(|(_, n)| n.to_string());
                format!(
                    "{name}: {n} in the source, {} in the copy",
                    c.as_deref().unwrap_or("none")
                )
            })
            .collect();
        anyhow::bail!(
            "the copy's rows differ from the source ({}); if the server was writing during the copy, run the backup again",
            differ.join(", ")
        );
    }
    Ok(checked)
}

/// `restore --backup FILE`: the file becomes the database of an empty data directory, then is
/// migrated to this build's schema.
pub async fn restore(db_args: &DbArgs, backup: &Path) -> anyhow::Result<()> {
    let target = match db_args.target()? {
        Target::Sqlite(path) => path,
        Target::Postgres(_) => anyhow::bail!(
            "--backup restores an SQLite backup; on PostgreSQL restore a pg_dump file with pg_restore into an empty database"
        ),
    };
    let checked = store::restore(backup, &target).await?;
    let db = crate::db::Db::connect(&Target::Sqlite(target.clone()), false).await?;
    let migrated = db.migrate_counted().await;
    db.close().await;
    let (ran, version) = migrated?;
    println!(
        "restored {} into {}: {} rows, schema version {} (now {version} after {})",
        backup.display(),
        target.display(),
        checked.rows(),
        checked.schema(),
        super::out::count(ran, "migration", "migrations")
    );
    Ok(())
}
