//! Running Throughline for a team: the configuration file, doctor, scheduled backups and
//! restores, migrations (dry run, rollback, forward from an older schema) and the upgrade of
//! each released version's fixture database.

mod backups;
mod config;
mod doctor;
mod migrations;
mod upgrade;

use std::path::{Path, PathBuf};

use throughline::db::{Db, Target};

use crate::support::cli::Cli;

/// The database a [`Cli`] uses.
pub fn target_of(cli: &Cli) -> Target {
    match &cli.database_url {
        Some(url) => Target::Postgres(url.clone()),
        None => Target::Sqlite(cli.dir.path().join("throughline.db")),
    }
}

/// The embedded migrations' folder for the database of `target`.
pub fn migrations_dir(target: &Target) -> PathBuf {
    let which = match target {
        Target::Sqlite(_) => "sqlite",
        Target::Postgres(_) => "postgres",
    };
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(which)
}

/// A migrator over the real migrations up to `upto`, plus `extra` files (name, SQL): how an
/// older version's schema, or a new migration, is made in a test.
pub async fn migrator(
    target: &Target,
    upto: i64,
    extra: &[(&str, &str)],
) -> (sqlx::migrate::Migrator, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(migrations_dir(target)).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let version: i64 = name.split('_').next().unwrap().parse().unwrap();
        if version <= upto {
            std::fs::copy(&path, dir.path().join(&name)).unwrap();
        }
    }
    for (name, sql) in extra {
        std::fs::write(dir.path().join(name), sql).unwrap();
    }
    let m = sqlx::migrate::Migrator::new(dir.path()).await.unwrap();
    (m, dir)
}

/// A new database of `target` at the schema of migration `upto`.
pub async fn database_at(target: &Target, upto: i64) -> Db {
    let db = Db::connect(target, true).await.unwrap();
    let (m, _dir) = migrator(target, upto, &[]).await;
    throughline::with_pool!(&db.write, p => m.run(p).await).unwrap();
    db
}
