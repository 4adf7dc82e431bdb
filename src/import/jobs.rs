//! Imports started over the API run in the background as jobs: stored in the database (state,
//! counts, final report or error) so that a client can poll them and a restarted server still
//! answers for them. The process running a job counts its progress in memory; on PostgreSQL it
//! also writes it to the job's row every second with a heartbeat, so that any other process
//! sharing the database shows it, and a job whose heartbeat stopped (its process died, so its
//! transaction rolled back) is marked failed. SQLite has one server process, and the import's
//! write transaction would hold that row's writer back, so there the memory is enough.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex};

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::detect::Format;
use super::service::{self, Options};
use crate::auth::store::User;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::workspace::ProductCtx;
use crate::{exec, on};

/// How far a running job is: records written of the file's total.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Progress {
    pub done: i64,
    pub total: i64,
}

/// An import job as a client sees it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Job {
    pub id: i64,
    /// queued, running, done or failed.
    pub status: String,
    pub file_name: String,
    pub format: String,
    pub dry_run: bool,
    pub progress: Progress,
    /// The import's report once done (the same as `throughline import --json` prints).
    #[schema(value_type = Option<Object>)]
    pub report: Option<serde_json::Value>,
    /// Why the job failed.
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct JobRow {
    id: i64,
    status: String,
    file_name: String,
    format: String,
    dry_run: bool,
    items_total: i64,
    items_done: i64,
    heartbeat_at: Option<DateTime<Utc>>,
    report_json: Option<String>,
    error: Option<String>,
    created_at: DateTime<Utc>,
    finished_at: Option<DateTime<Utc>>,
}

/// Records written so far by the jobs running in this process, by database ([`Db::id`]) and
/// job id.
static RUNNING: LazyLock<Mutex<Registry>> = LazyLock::new(|| Mutex::new(HashMap::new()));

/// (database, job id) → how many records that job has written.
type Registry = HashMap<(u64, i64), Arc<AtomicUsize>>;

fn running(db: &Db, id: i64) -> Option<usize> {
    let map = RUNNING.lock().ok()?;
    map.get(&(db.id, id)).map(|c| c.load(Ordering::Relaxed))
}

impl Job {
    fn of(db: &Db, r: JobRow) -> Job {
        let done = match r.status.as_str() {
            "done" => r.items_total,
            "running" => {
                running(db, r.id).map_or(r.items_done, |n| i64::try_from(n).unwrap_or(i64::MAX))
            }
            _ => 0,
        };
        Job {
            id: r.id,
            status: r.status,
            file_name: r.file_name,
            format: r.format,
            dry_run: r.dry_run,
            progress: Progress {
                done,
                total: r.items_total,
            },
            report: r.report_json.and_then(|j| serde_json::from_str(&j).ok()),
            error: r.error,
            created_at: r.created_at,
            finished_at: r.finished_at,
        }
    }
}

const COLUMNS: &str = "id, status, file_name, format, dry_run, items_total, items_done, \
                       heartbeat_at, report_json, error, created_at, finished_at";

/// How long a running job's process may stay silent before the job is taken for dead.
const SILENCE: chrono::TimeDelta = chrono::TimeDelta::seconds(30);

/// What a job cut short says.
const CUT_SHORT: &str =
    "the server stopped during the import; nothing was written: upload the file again";

/// A job of the product, or 404. A job another process was running and stopped beating for
/// is marked failed first.
pub async fn get(db: &Db, product_id: i64, id: i64) -> Result<Job> {
    let sql = format!("SELECT {COLUMNS} FROM import_jobs WHERE id = $1 AND product_id = $2");
    let row: Option<JobRow> = on!(&mut db.reader().await?.conn(), c => sqlx::query_as(&sql)
        .bind(id).bind(product_id).fetch_optional(&mut **c).await)?;
    let row = row.ok_or(Error::NotFound)?;
    let silent = row.status == "running"
        && !db.is_sqlite()
        && running(db, row.id).is_none()
        && row.heartbeat_at.unwrap_or(row.created_at) < crate::db::now() - SILENCE;
    if silent && cut_short(db, Some(row.id)).await? > 0 {
        return Box::pin(get(db, product_id, id)).await;
    }
    Ok(Job::of(db, row))
}

/// Marks failed the running jobs (one, or all) whose process is gone: on SQLite every one (a
/// single process, at its start), on PostgreSQL those silent for longer than [`SILENCE`].
async fn cut_short(db: &Db, id: Option<i64>) -> Result<u64> {
    let now = crate::db::now();
    Ok(exec!(&mut db.writer().await?.conn(), c => sqlx::query(
    "UPDATE import_jobs SET status = 'failed', finished_at = $1, error = $2
         WHERE status IN ('queued', 'running') AND ($3 IS NULL OR id = $3)
           AND ($5 OR COALESCE(heartbeat_at, created_at) <= $4)")
    .bind(now).bind(CUT_SHORT).bind(id).bind(now - SILENCE).bind(db.is_sqlite())
    )?)
}

/// Checks the file (its format, its records) and queues the job that imports it; the import
/// itself runs in the background. A file that cannot be read is refused here, and no job kept.
pub async fn start(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    file_name: &str,
    bytes: Vec<u8>,
    opts: Options,
) -> Result<Job> {
    ctx.grants.require(crate::auth::Action::Import)?;
    let batch = service::read(&bytes, opts.format)?;
    let format = opts.format.map_or(batch.format, Format::name).to_string();
    let total = i64::try_from(batch.records.len()).unwrap_or(i64::MAX);
    let id: i64 = on!(&mut db.writer().await?.conn(), c => sqlx::query_scalar(
        "INSERT INTO import_jobs (product_id, created_by, file_name, format, dry_run, status,
                                  items_total, created_at)
         VALUES ($1, $2, $3, $4, $5, 'queued', $6, $7) RETURNING id")
        .bind(ctx.product.id).bind(actor.id).bind(file_name).bind(&format).bind(opts.dry_run)
        .bind(total).bind(crate::db::now()).fetch_one(&mut **c).await)?;
    let job = get(db, ctx.product.id, id).await?;
    let (db, actor, ctx) = (db.clone(), actor.clone(), ctx.clone());
    tokio::spawn(async move { run(db, actor, ctx, id, bytes, opts).await });
    Ok(job)
}

async fn run(db: Db, actor: User, ctx: ProductCtx, id: i64, bytes: Vec<u8>, mut opts: Options) {
    let counter = Arc::new(AtomicUsize::new(0));
    if let Ok(mut map) = RUNNING.lock() {
        map.insert((db.id, id), counter.clone());
    }
    opts.progress = Some(counter.clone());
    let marked: Result<u64, sqlx::Error> = async {
        exec!(&mut db.writer().await?.conn(), c => sqlx::query(
        "UPDATE import_jobs SET status = 'running', heartbeat_at = $2 WHERE id = $1")
        .bind(id).bind(crate::db::now()))
    }
    .await;
    let beat = (!db.is_sqlite()).then(|| tokio::spawn(heartbeat(db.clone(), id, counter)));
    let outcome = match marked {
        Ok(_) => service::import(&db, &actor, &ctx, &bytes, opts).await,
        Err(e) => Err(e.into()),
    };
    if let Some(beat) = beat {
        beat.abort();
    }
    let (status, report, error) = match outcome {
        Ok(r) => ("done", serde_json::to_string(&r).ok(), None),
        Err(Error::Invalid { field, message }) => {
            ("failed", None, Some(format!("{field}: {message}")))
        }
        Err(Error::Internal(e)) => {
            tracing::error!(job = id, "import job failed: {e:#}");
            (
                "failed",
                None,
                Some("the import failed on the server; nothing was written".into()),
            )
        }
        Err(other) => ("failed", None, Some(other.to_string())),
    };
    // Out of this process's registry before the outcome is saved: once a reader sees the job
    // done, no stale counter of this run may answer for the job's row again.
    if let Ok(mut map) = RUNNING.lock() {
        map.remove(&(db.id, id));
    }
    let saved: Result<u64, sqlx::Error> = async {
        exec!(&mut db.writer().await?.conn(), c => sqlx::query(
        "UPDATE import_jobs SET status = $1, report_json = $2, error = $3, finished_at = $4
         WHERE id = $5")
        .bind(status).bind(report).bind(error).bind(crate::db::now()).bind(id))
    }
    .await;
    if let Err(e) = saved {
        tracing::error!(job = id, "saving the import job's outcome: {e}");
    }
}

/// Every second while a job runs (PostgreSQL): how far it is, and that its process lives.
async fn heartbeat(db: Db, id: i64, counter: Arc<AtomicUsize>) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
    loop {
        tick.tick().await;
        let done = i64::try_from(counter.load(Ordering::Relaxed)).unwrap_or(i64::MAX);
        let beat: Result<u64, sqlx::Error> = async { exec!(&mut db.writer().await?.conn(), c => sqlx::query(
            "UPDATE import_jobs SET items_done = $1, heartbeat_at = $2 WHERE id = $3 AND status = 'running'")
            .bind(done).bind(crate::db::now()).bind(id)) }.await;
        if let Err(e) = beat {
            tracing::warn!(job = id, "import job heartbeat: {e}");
        }
    }
}

/// At start-up: jobs a stop or a crash cut short never committed; they are marked failed so
/// their clients stop waiting. Returns how many. On PostgreSQL, a job another live process is
/// running keeps beating and is left alone.
pub async fn interrupted(db: &Db) -> Result<u64> {
    cut_short(db, None).await
}
