//! SQLite's checkpoints, off the writer.
//!
//! In WAL mode a commit appends pages to the log, and SQLite copies them back into the
//! database file (a checkpoint, with its fsyncs) inside any commit that finds the log past
//! its threshold (1,000 pages by default). The log starts over only at a moment when all of it
//! has been copied and no write has begun since, which a steady stream of writes never leaves:
//! the log stayed past the threshold, and nearly every commit copied the pages of the ones
//! before it while the writes queued behind the one writer waited. A server runs the
//! checkpoints on a connection of their own instead, in passive mode (never waiting for, nor
//! holding up, a reader or the writer), and the writer's threshold is 40,000 pages
//! (`Db::connect_with`): it still bounds the log if this task falls behind, or in a command
//! that runs without it. Under a steady stream of writes the log grows towards that bound,
//! and starts over once the writes pause or it reaches the bound.

use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::ConnectOptions;

use super::Db;

/// How long to wait before the next checkpoint after one that found new pages in the log.
const BUSY: Duration = Duration::from_millis(50);
/// ... after one that found nothing new.
const IDLE: Duration = Duration::from_millis(250);
/// ... after a failure (the connection is opened again).
const FAILED: Duration = Duration::from_secs(5);

/// Starts checkpointing the database in the background; nothing on PostgreSQL.
pub fn spawn(db: &Db) -> Option<tokio::task::JoinHandle<()>> {
    let opts = db.writer.as_ref()?.manager().0.clone();
    Some(tokio::spawn(run(opts)))
}

async fn run(opts: SqliteConnectOptions) {
    let mut conn: Option<SqliteConnection> = None;
    let mut last = (0, 0);
    loop {
        let pause = match checkpoint(&mut conn, &opts).await {
            Ok(now) if now.0 > 0 && now != last => {
                last = now;
                BUSY
            }
            Ok(now) => {
                last = now;
                IDLE
            }
            Err(e) => {
                tracing::warn!(error = %e, "checkpointing the SQLite log");
                conn = None;
                FAILED
            }
        };
        tokio::time::sleep(pause).await;
    }
}

/// One passive checkpoint: the pages in the log and those copied back, as SQLite counts them.
async fn checkpoint(
    conn: &mut Option<SqliteConnection>,
    opts: &SqliteConnectOptions,
) -> Result<(i64, i64), sqlx::Error> {
    if conn.is_none() {
        *conn = Some(opts.connect().await?);
    }
    let c = conn.as_mut().expect("opened above");
    let (_busy, log, copied): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
        .fetch_one(c)
        .await?;
    Ok((log, copied))
}
