//! Where the data lives: one clap + environment struct shared by every command.

use std::path::PathBuf;

use clap::Args;

use crate::db::{Db, Target};

#[derive(Args, Clone, Debug)]
pub struct DbArgs {
    /// Folder for the embedded SQLite database (`throughline.db`) when no DATABASE_URL is given.
    #[arg(
        long,
        env = "THROUGHLINE_DATA_DIR",
        default_value = "data",
        global = true
    )]
    pub data_dir: PathBuf,
    /// `postgres://user:pass@host/db` to use PostgreSQL instead of the embedded SQLite.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,
}

impl DbArgs {
    pub fn target(&self) -> anyhow::Result<Target> {
        Target::resolve(self.database_url.as_deref(), &self.data_dir)
    }

    /// Opens and migrates the database, creating an SQLite file only when `create` is set.
    pub async fn open(&self, create: bool) -> anyhow::Result<Db> {
        let db = Db::connect(&self.target()?, create).await?;
        db.migrate().await?;
        Ok(db)
    }
}
