//! The server's backup timer: on SQLite, a backup when the last good one is `every` old, then
//! the folder pruned to `keep`. On PostgreSQL the server takes none (several servers may share
//! the database, and `pg_dump` is the tool for it); it says so once in the log.

use std::path::PathBuf;
use std::time::Duration;

use tokio::task::JoinHandle;

use crate::db::Db;

/// When and where; `every: None` turns the timer off.
#[derive(Clone, Debug)]
pub struct Plan {
    pub dir: PathBuf,
    pub every: Option<Duration>,
    pub keep: usize,
}

/// Starts the timer, or answers `None` (and logs why) when there is none to run.
pub fn spawn(db: Db, plan: Plan) -> Option<JoinHandle<()>> {
    if !db.is_sqlite() {
        tracing::info!("scheduled backups are off on PostgreSQL: back it up with pg_dump");
        return None;
    }
    let Some(every) = plan.every else {
        tracing::info!("scheduled backups are off (backup_every = off)");
        return None;
    };
    tracing::info!(
        "a backup every {} into {}, keeping {}",
        humantime::format_duration(every),
        plan.dir.display(),
        plan.keep
    );
    Some(tokio::spawn(run(db, plan.dir, every, plan.keep)))
}

async fn run(db: Db, dir: PathBuf, every: Duration, keep: usize) {
    loop {
        // Reading the folder each time means a restart neither skips nor repeats a backup.
        let last = super::last_good(&dir).ok().flatten().map(|f| f.taken_at);
        tokio::time::sleep(super::wait_before_next(last, every, chrono::Utc::now())).await;
        match super::store::take(&db, &dir).await {
            Ok(f) => {
                tracing::info!(
                    "backup {} written and verified ({})",
                    f.name,
                    super::size(f.bytes)
                );
                match super::store::prune(&dir, keep) {
                    Ok(gone) => {
                        for g in gone {
                            tracing::info!("backup {} deleted (keeping {keep})", g.name);
                        }
                    }
                    Err(e) => tracing::warn!("pruning old backups in {}: {e}", dir.display()),
                }
            }
            Err(e) => {
                tracing::error!("backup failed: {e:#}");
                // Retry after the interval, but at least within the hour.
                tokio::time::sleep(every.min(Duration::from_secs(3600))).await;
            }
        }
    }
}
