//! Admin commands: accounts, tokens, backups.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::auth::store;
use crate::config::DbArgs;
use crate::db::Target;

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create a local account; for the e-mail of a placeholder an import made, that account
    /// is set up instead, keeping its history.
    Add {
        /// The e-mail address the account signs in with.
        #[arg(long)]
        email: String,
        /// The name others see.
        #[arg(long)]
        name: String,
        /// At least 10 characters. Read from THROUGHLINE_PASSWORD when not given.
        #[arg(long, env = "THROUGHLINE_PASSWORD", hide_env_values = true)]
        password: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Create an API token for an account; prints only the token.
    Create {
        /// The e-mail of the account the token acts as.
        #[arg(long)]
        email: String,
        /// What the token is for, e.g. "ci" or "laptop".
        #[arg(long, default_value = "cli")]
        name: String,
    },
}

#[derive(Args, Debug)]
pub struct BackupArgs {
    /// File to write the copy to (SQLite).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Open the copy and check it: integrity, migrations, and row counts against the source.
    #[arg(long)]
    pub verify: bool,
}

/// `throughline migrate`: creates the database if need be, applies what is pending, and says
/// which of those it did.
pub async fn migrate(db_args: &DbArgs) -> anyhow::Result<()> {
    let target = db_args.target()?;
    let new_file = match &target {
        Target::Sqlite(path) => (!path.exists()).then(|| path.display().to_string()),
        Target::Postgres(_) => None,
    };
    let db = crate::db::Db::connect(&target, true).await?;
    let (ran, version) = db.migrate_counted().await?;
    db.close().await;
    let migrations = super::out::count(ran, "migration", "migrations");
    match (new_file, ran) {
        (Some(path), _) => {
            println!(
                "created the database {path} and applied {migrations} (schema version {version})"
            )
        }
        (None, 0) => println!("the database is up to date (schema version {version})"),
        (None, _) => println!("applied {migrations}; the database is at schema version {version}"),
    }
    Ok(())
}

pub async fn user(db: &DbArgs, c: UserCommand) -> anyhow::Result<()> {
    let UserCommand::Add {
        email,
        name,
        password,
    } = c;
    let db = db.open(true).await?;
    let claimed = crate::invite::service::claim_by_email(&db, &email, &name, &password)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if let Some((u, workspaces)) = claimed {
        let within = if workspaces.is_empty() {
            String::new()
        } else {
            format!(" (a member of {})", workspaces.join(", "))
        };
        println!(
            "claimed the placeholder account {} <{}>{within} that an import made: it can sign in now and keeps its imported items, assignments and comments",
            u.name, u.email
        );
        return Ok(());
    }
    let u = store::create_user(&db, &email, &name, &password)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("created {} <{}>", u.name, u.email);
    Ok(())
}

pub async fn token(db: &DbArgs, c: TokenCommand) -> anyhow::Result<()> {
    let TokenCommand::Create { email, name } = c;
    let db = db.open(false).await?;
    let user = store::find_by_email(&db, &email)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no account with e-mail {email}"))?;
    let token = store::create_token(&db, user.id, &name)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("{token}");
    Ok(())
}

pub async fn backup(db_args: &DbArgs, a: BackupArgs) -> anyhow::Result<()> {
    match db_args.target()? {
        Target::Postgres(url) => {
            let safe = url::Url::parse(&url).map(|mut u| {
                let _ = u.set_password(None);
                u.to_string()
            })?;
            let file = a
                .out
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "throughline.dump".into());
            if a.verify {
                anyhow::bail!("--verify checks an SQLite copy; check a pg_dump file with `pg_restore --list '{file}'`");
            }
            println!("PostgreSQL is backed up with its own tool; run:\n  pg_dump --format=custom --file='{file}' '{safe}'");
            Ok(())
        }
        Target::Sqlite(_) => {
            let out = a
                .out
                .ok_or_else(|| anyhow::anyhow!("give --out FILE for the copy"))?;
            if out.exists() {
                anyhow::bail!("{} already exists; choose a new file", out.display());
            }
            let db = db_args.open(false).await?;
            let path = out.to_string_lossy().to_string();
            // VACUUM INTO writes a consistent copy while other connections keep reading and writing.
            crate::with_pool!(&db.write, p => sqlx::query("VACUUM INTO $1").bind(&path).execute(p).await.map(|r| r.rows_affected()))?;
            if a.verify {
                let checked = verify_copy(&db, &out).await;
                db.close().await;
                let (tables, rows) = checked?;
                println!(
                    "backed up to {} and verified: integrity ok, schema version {}, {} tables and {} rows as in the source",
                    out.display(),
                    crate::db::migration_versions().0.into_iter().max().unwrap_or(0),
                    tables,
                    rows
                );
            } else {
                db.close().await;
                println!("backed up to {}", out.display());
            }
            Ok(())
        }
    }
}

/// Row counts of every table of an SQLite database (FTS shadow tables included: they are data
/// the copy must carry too).
async fn table_counts(pool: &sqlx::SqlitePool) -> anyhow::Result<Vec<(String, i64)>> {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .fetch_all(pool)
    .await?;
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM \"{name}\""))
            .fetch_one(pool)
            .await?;
        out.push((name, n));
    }
    Ok(out)
}

/// Opens the copy read-only and checks it: `PRAGMA integrity_check`, every migration applied,
/// and the same tables with the same row counts as the source. Answers (tables, rows).
async fn verify_copy(db: &crate::db::Db, copy: &std::path::Path) -> anyhow::Result<(usize, i64)> {
    let crate::db::Pool::Sqlite(source) = &db.read else {
        anyhow::bail!("--verify checks an SQLite copy");
    };
    let opts = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(copy)
        .read_only(true)
        .immutable(true);
    let pool = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(opts)
        .await
        .map_err(|e| anyhow::anyhow!("opening the copy {}: {e}", copy.display()))?;
    let result = async {
        let integrity: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check").fetch_all(&pool).await?;
        if integrity != ["ok"] {
            anyhow::bail!("the copy fails its integrity check: {}", integrity.join("; "));
        }
        let applied: Vec<i64> = sqlx::query_scalar(
            "SELECT version FROM _sqlx_migrations WHERE success ORDER BY version",
        )
        .fetch_all(&pool)
        .await?;
        let expected = crate::db::migration_versions().0;
        if applied != expected {
            anyhow::bail!(
                "the copy has migrations {applied:?}, this Throughline expects {expected:?}"
            );
        }
        let copied = table_counts(&pool).await?;
        let original = table_counts(source).await?;
        if copied != original {
            let differ: Vec<String> = original
                .iter()
                .filter(|t| !copied.contains(t))
                .map(|(name, n)| {
                    let c = copied.iter().find(|(c, _)| c == name).map(|(_, n)| n.to_string());
                    format!("{name}: {n} in the source, {} in the copy", c.as_deref().unwrap_or("none"))
                })
                .collect();
            anyhow::bail!(
                "the copy's rows differ from the source ({}); if the server was writing during the copy, run the backup again",
                differ.join(", ")
            );
        }
        Ok((copied.len(), copied.iter().map(|(_, n)| n).sum()))
    }
    .await;
    pool.close().await;
    result
}
