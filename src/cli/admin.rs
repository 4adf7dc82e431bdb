//! Admin commands: accounts, tokens, backups.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::auth::store;
use crate::config::DbArgs;
use crate::db::Target;

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create a local account.
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
            println!("backed up to {}", out.display());
            Ok(())
        }
    }
}
