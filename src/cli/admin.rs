//! Admin commands: the schema, accounts, tokens.

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
        /// A token that may only read: every change it tries, on the API or over MCP, is refused.
        #[arg(long)]
        read_only: bool,
    },
}

#[derive(Args, Debug)]
pub struct MigrateArgs {
    /// List the migrations that would run (version and name) and change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `throughline migrate`: creates the database if need be, applies what is pending, and says
/// which of those it did.
pub async fn migrate(db_args: &DbArgs, a: MigrateArgs) -> anyhow::Result<()> {
    if a.dry_run {
        return dry_run(db_args).await;
    }
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
    let TokenCommand::Create {
        email,
        name,
        read_only,
    } = c;
    let db = db.open(false).await?;
    let user = store::find_by_email(&db, &email)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no account with e-mail {email}"))?;
    let token = store::create_token(&db, user.id, &name, read_only)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("{token}");
    Ok(())
}

/// `migrate --dry-run`: the pending migrations, read without applying or creating anything.
async fn dry_run(db_args: &DbArgs) -> anyhow::Result<()> {
    let target = db_args.target()?;
    if let Target::Sqlite(path) = &target {
        if !path.exists() {
            let all = crate::db::migration_versions().0.len() as i64;
            println!(
                "no database at {} yet: `migrate` would create it and apply {}",
                path.display(),
                super::out::count(all, "migration", "migrations")
            );
            return Ok(());
        }
    }
    let db = crate::db::Db::connect(&target, false).await?;
    let pending = db.pending_migrations().await;
    db.close().await;
    let pending = pending?;
    if pending.is_empty() {
        println!("the database is up to date: no migration would run");
        return Ok(());
    }
    println!(
        "{} would run:",
        super::out::count(pending.len() as i64, "migration", "migrations")
    );
    for (version, name) in pending {
        println!("  {version:04} {name}");
    }
    Ok(())
}
