//! The database handle: SQLite (embedded default) or PostgreSQL, one code path for both.
//!
//! Each query is written once and compiled against each driver. Store functions take a
//! [`Conn`], which a pooled connection ([`Db::reader`], [`Db::writer`]) and a write transaction
//! ([`Tx::conn`]) all lend, so one function serves each; `on!` runs a query on it and `exec!`
//! runs a write and answers the rows it touched. `with_pool!` is for what concerns a pool as a
//! whole (migrating it, closing it).

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, SubsecRound, Utc};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

pub mod batch;
pub mod checkpoint;
pub mod kept;
pub mod lent;
mod tx;

pub use tx::{SqliteTx, Tx};

/// A connection pool of one of the two supported databases.
#[derive(Clone, Debug)]
pub enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Reads and writes go to different pools so that SQLite has exactly one writer
/// (no `SQLITE_BUSY` under load) while readers run in parallel; on PostgreSQL both are the same pool.
#[derive(Clone, Debug)]
pub struct Db {
    pub read: Pool,
    pub write: Pool,
    /// On SQLite, the connections [`Db::reader`] lends (the read pool serves what concerns a
    /// pool as a whole: backups, exports, migrations' checks).
    pub reads: Option<lent::Lender>,
    /// On SQLite, the one writer connection that transactions and [`Db::writer`] lend (the
    /// write pool's serves migrations, which run before anything else).
    pub writer: Option<lent::Lender>,
    /// A PostgreSQL streaming replica (`DATABASE_REPLICA_URL`) that the heavy reports read
    /// from ([`Db::for_reports`]); none by default, and never on SQLite.
    pub replica: Option<Pool>,
    /// This process's name for the database it opened: state a process keeps beside the
    /// database (the import jobs it runs) is keyed by it, so that two databases open in one
    /// process (the test suite's) never read each other's.
    pub id: u64,
}

/// The next [`Db::id`].
static NEXT_DB: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

fn next_db_id() -> u64 {
    NEXT_DB.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// Runs `$body` with `$p` bound to the concrete pool of either database: for what concerns the
/// pool itself (migrations, closing); queries go through a [`Conn`].
#[macro_export]
macro_rules! with_pool {
    ($pool:expr, $p:ident => $body:expr) => {
        match $pool {
            $crate::db::Pool::Sqlite($p) => $body,
            $crate::db::Pool::Postgres($p) => $body,
        }
    };
}

/// Timestamps are stored with whole seconds: SQLite keeps them as RFC 3339 text, and a fixed
/// width keeps text comparison equal to time comparison.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(0)
}

static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// Where the data lives, resolved from `DATABASE_URL` or the data directory.
#[derive(Clone, Debug)]
pub enum Target {
    Sqlite(std::path::PathBuf),
    Postgres(String),
}

/// What an acknowledged write survives on SQLite. In WAL mode, `Normal` syncs at checkpoints
/// only: a crash of the process loses nothing, but a power loss or kernel crash may lose the
/// last commits (never the database's consistency). `Full` syncs the WAL on every commit, so an
/// acknowledged write survives power loss too, at the cost of an fsync per write.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Durability {
    #[default]
    Normal,
    Full,
}

impl std::fmt::Display for Durability {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Durability::Normal => "normal",
            Durability::Full => "full",
        })
    }
}

impl Target {
    pub fn resolve(database_url: Option<&str>, data_dir: &Path) -> anyhow::Result<Target> {
        match database_url {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Ok(Target::Postgres(url.to_string()))
            }
            Some(url) if url.starts_with("sqlite:") => {
                let path = url
                    .trim_start_matches("sqlite://")
                    .trim_start_matches("sqlite:");
                Ok(Target::Sqlite(path.into()))
            }
            Some(other) => anyhow::bail!(
                "DATABASE_URL must start with postgres:// or sqlite:, got {:?}",
                other.split(':').next().unwrap_or_default()
            ),
            None => Ok(Target::Sqlite(data_dir.join("throughline.db"))),
        }
    }
}

impl Db {
    /// Opens the database. `create` allows a new SQLite file; otherwise a missing file is an
    /// error, so that a mistyped path never silently yields an empty database.
    pub async fn connect(target: &Target, create: bool) -> anyhow::Result<Db> {
        Db::connect_with(target, create, Durability::Normal).await
    }

    /// [`Db::connect`] with SQLite's durability chosen (`--durability`).
    pub async fn connect_with(
        target: &Target,
        create: bool,
        durability: Durability,
    ) -> anyhow::Result<Db> {
        match target {
            Target::Sqlite(path) => {
                if !create && !path.exists() {
                    anyhow::bail!(
                        "no database at {} (run `throughline migrate` or `serve` to create one)",
                        path.display()
                    );
                }
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir)
                        .with_context(|| format!("creating data directory {}", dir.display()))?;
                }
                let opts = SqliteConnectOptions::new()
                    .filename(path)
                    .create_if_missing(create)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(match durability {
                        Durability::Normal => SqliteSynchronous::Normal,
                        Durability::Full => SqliteSynchronous::Full,
                    })
                    .busy_timeout(Duration::from_secs(5))
                    .foreign_keys(true)
                    .pragma("cache_size", "-8000")
                    .pragma("temp_store", "memory")
                    // The worker thread hands rows over through a channel of this many; at
                    // sqlx's 50 it stopped and waited for the reader every 50 rows, which the
                    // roadmap's profile showed as its largest cost (thread switches).
                    .row_buffer_size(1024);
                // No ping before each acquire: it would double the round trips to SQLite's
                // per-connection worker thread, and a local file connection does not go stale.
                let write = SqlitePoolOptions::new()
                    .max_connections(1)
                    .test_before_acquire(false)
                    .connect_with(opts.clone())
                    .await
                    .with_context(|| format!("opening {}", path.display()))?;
                // The writer copies the log back into the database only past 40,000 pages
                // (about 160 MB; SQLite's default is 1,000): a server checkpoints in the
                // background (`checkpoint`), and past the threshold every commit would try
                // again on the writer, ahead of the writes queued behind it. Under a steady
                // stream of writes the background task never finds the log wholly copied, so
                // reaching the threshold is what starts the log over: one checkpoint on the
                // writer, with its fsync, that every queued write waits for (20-40 ms here).
                // At 10,000 pages that came every ~0.4 s of 4,500 moves a second, about one
                // write in a hundred, and made the writes' p99.
                let write_opts = opts.clone().pragma("wal_autocheckpoint", "40000");
                let opts = opts.read_only(true);
                let read = SqlitePoolOptions::new()
                    .max_connections(3)
                    .test_before_acquire(false)
                    .connect_with(opts.clone())
                    .await?;
                Ok(Db {
                    read: Pool::Sqlite(read),
                    write: Pool::Sqlite(write),
                    reads: Some(lent::pool(opts, 6)),
                    writer: Some(lent::pool(write_opts, 1)),
                    replica: None,
                    id: next_db_id(),
                })
            }
            Target::Postgres(url) => {
                let opts = PgConnectOptions::from_str(url).context("parsing DATABASE_URL")?;
                let pool = pg_pool(opts).await.context("connecting to PostgreSQL")?;
                Ok(Db {
                    read: Pool::Postgres(pool.clone()),
                    write: Pool::Postgres(pool),
                    reads: None,
                    writer: None,
                    replica: None,
                    id: next_db_id(),
                })
            }
        }
    }

    pub async fn migrate(&self) -> anyhow::Result<()> {
        match &self.write {
            Pool::Sqlite(p) => {
                // SQLite changes a column's constraints only by rebuilding its table, and
                // dropping a table that others reference would cascade with foreign keys on;
                // they can be turned off only outside a transaction, so for the migrations'
                // connection, and every reference is checked before it goes back to the pool
                // when a migration ran (the check reads the whole database: 0.6 s at start on
                // the *huge* set, for nothing when no migration ran).
                let mut c = p.acquire().await?;
                sqlx::query("PRAGMA foreign_keys = OFF")
                    .execute(&mut *c)
                    .await?;
                let applied = "SELECT COUNT(*) FROM _sqlx_migrations";
                let before: Option<i64> = sqlx::query_scalar(applied).fetch_one(&mut *c).await.ok();
                let ran = SQLITE_MIGRATOR.run(&mut *c).await;
                let after: Option<i64> = sqlx::query_scalar(applied).fetch_one(&mut *c).await.ok();
                let broken: Result<Vec<(String,)>, sqlx::Error> = if ran.is_ok() && after == before
                {
                    Ok(Vec::new())
                } else {
                    sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check")
                        .fetch_all(&mut *c)
                        .await
                };
                sqlx::query("PRAGMA foreign_keys = ON")
                    .execute(&mut *c)
                    .await?;
                ran?;
                let broken = broken?;
                if !broken.is_empty() {
                    anyhow::bail!(
                        "after the migrations, rows of {} point at rows that are gone",
                        broken
                            .into_iter()
                            .map(|b| b.0)
                            .collect::<Vec<_>>()
                            .join(", ")
                    );
                }
            }
            Pool::Postgres(p) => POSTGRES_MIGRATOR.run(p).await?,
        }
        Ok(())
    }

    /// Migrations applied so far (0 before the first run, when their table does not exist).
    pub async fn applied_migrations(&self) -> i64 {
        let n: Result<i64, sqlx::Error> = with_pool!(&self.write, p => sqlx::query_scalar(
            "SELECT COUNT(*) FROM _sqlx_migrations WHERE success").fetch_one(p).await);
        n.unwrap_or(0)
    }

    /// Runs the pending migrations and says how many ran and the schema version now.
    pub async fn migrate_counted(&self) -> anyhow::Result<(i64, i64)> {
        let before = self.applied_migrations().await;
        self.migrate().await?;
        let after = self.applied_migrations().await;
        let latest = self.migrator().iter().map(|m| m.version).max().unwrap_or(0);
        Ok((after - before, latest))
    }

    pub fn is_sqlite(&self) -> bool {
        matches!(self.write, Pool::Sqlite(_))
    }

    /// The statement that leases a queue's due rows (webhook deliveries, mail) to one process
    /// and answers `returning` of them: `$1` the lease's end, `$2` its owner, `$3` now, `$4`
    /// how many. PostgreSQL skips rows another process is leasing this instant; SQLite has one
    /// writer.
    pub fn lease_due_sql(&self, table: &str, returning: &str) -> String {
        let skip_locked = if self.is_sqlite() {
            ""
        } else {
            " FOR UPDATE SKIP LOCKED"
        };
        format!(
            "UPDATE {table} SET leased_until = $1, lease_owner = $2 WHERE id IN (
                SELECT id FROM {table} WHERE state = 'pending' AND next_attempt_at <= $3
                  AND (leased_until IS NULL OR leased_until < $3) ORDER BY next_attempt_at LIMIT $4{skip_locked})
             RETURNING {returning}"
        )
    }

    fn migrator(&self) -> &'static sqlx::migrate::Migrator {
        match &self.write {
            Pool::Sqlite(_) => &SQLITE_MIGRATOR,
            Pool::Postgres(_) => &POSTGRES_MIGRATOR,
        }
    }

    /// Versions of the migrations applied successfully, oldest first; none before the first run.
    pub async fn applied_versions(&self) -> anyhow::Result<Vec<i64>> {
        let exists: i64 = with_pool!(&self.read, p => sqlx::query_scalar(if self.is_sqlite() {
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'"
        } else {
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = '_sqlx_migrations' AND table_schema = current_schema()"
        }).fetch_one(p).await)?;
        if exists == 0 {
            return Ok(Vec::new());
        }
        Ok(with_pool!(&self.read, p => sqlx::query_scalar(
            "SELECT version FROM _sqlx_migrations WHERE success ORDER BY version").fetch_all(p).await)?)
    }

    /// The embedded migrations this database has not applied (version, name), applying none.
    pub async fn pending_migrations(&self) -> anyhow::Result<Vec<(i64, String)>> {
        let applied = self.applied_versions().await?;
        Ok(self
            .migrator()
            .iter()
            .filter(|m| m.migration_type.is_up_migration() && !applied.contains(&m.version))
            .map(|m| (m.version, m.description.to_string()))
            .collect())
    }

    /// Gathers the query planner's statistics after a bulk load. On SQLite only the row
    /// estimates per index are kept (`sqlite_stat1`): with value samples (`sqlite_stat4`, which
    /// this build of SQLite gathers) the planner looks at the values bound to a statement, and a
    /// prepared statement is compiled again each time one changes, which is every request (it
    /// halved the item page's rate on the benchmark's data).
    pub async fn analyze(&self) -> Result<(), sqlx::Error> {
        let mut w = self.writer().await?;
        let c = &mut w.conn();
        crate::exec!(c, x => sqlx::query("ANALYZE"))?;
        if c.is_sqlite() {
            let samples: i64 = crate::on!(c, x => sqlx::query_scalar(
                "SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_stat4'")
                .fetch_one(&mut **x).await)?;
            if samples > 0 {
                crate::exec!(c, x => sqlx::query("DELETE FROM sqlite_stat4"))?;
                // Makes every connection load the statistics again, without the samples.
                crate::exec!(c, x => sqlx::query("ANALYZE sqlite_schema"))?;
            }
        }
        Ok(())
    }

    pub async fn close(&self) {
        for lender in [&self.reads, &self.writer].into_iter().flatten() {
            lent::close(lender).await;
        }
        with_pool!(&self.read, p => p.close().await);
        with_pool!(&self.write, p => p.close().await);
        if let Some(r) = &self.replica {
            with_pool!(r, p => p.close().await);
        }
    }
}

/// A PostgreSQL pool, the primary's or the replica's. Broken connections surface as errors on
/// use and are replaced; a ping on every acquire would add a network round trip to each query.
async fn pg_pool(opts: PgConnectOptions) -> Result<PgPool, sqlx::Error> {
    PgPoolOptions::new()
        .max_connections(16)
        .test_before_acquire(false)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(opts)
        .await
}

/// Why a replica is refused beside SQLite.
pub const REPLICA_BESIDE_SQLITE: &str = "DATABASE_REPLICA_URL names a PostgreSQL replica, but the \
    database is SQLite (DATABASE_URL is not a postgres:// URL); unset DATABASE_REPLICA_URL or use PostgreSQL";

/// The top bit of a [`Db::id`] marks the replica's view of a database ([`Db::for_reports`]), so
/// that what a process keeps per database id never mixes the replica's connections with the
/// primary's.
const REPLICA_VIEW: u64 = 1 << 63;

impl Db {
    /// Opens a pool on a PostgreSQL streaming replica of this database for the heavy reports.
    /// A replica only follows a PostgreSQL primary, so SQLite refuses one; nothing is migrated
    /// there (the primary's migrations arrive by replication).
    pub async fn with_replica(mut self, url: &str) -> anyhow::Result<Db> {
        if self.is_sqlite() {
            anyhow::bail!(REPLICA_BESIDE_SQLITE);
        }
        if !url.starts_with("postgres://") && !url.starts_with("postgresql://") {
            anyhow::bail!(
                "DATABASE_REPLICA_URL must start with postgres://, got {:?}",
                url.split(':').next().unwrap_or_default()
            );
        }
        let opts = PgConnectOptions::from_str(url).context("parsing DATABASE_REPLICA_URL")?;
        let pool = pg_pool(opts)
            .await
            .context("connecting to the PostgreSQL replica (DATABASE_REPLICA_URL)")?;
        self.replica = Some(Pool::Postgres(pool));
        Ok(self)
    }

    /// This database as the heavy reports (alignment, velocity, roadmap, documents) see it:
    /// reads from the replica when there is one, writes to the primary. A replica lags its
    /// primary by a moment, so only reads that need not see the reader's own latest write go
    /// here; without a replica it is the database itself.
    pub fn for_reports(&self) -> Db {
        match &self.replica {
            None => self.clone(),
            Some(r) => Db {
                read: r.clone(),
                write: self.write.clone(),
                reads: None,
                writer: None,
                replica: None,
                id: self.id | REPLICA_VIEW,
            },
        }
    }
}

/// The migration versions each backend knows, for the test that keeps them in step.
pub fn migration_versions() -> (Vec<i64>, Vec<i64>) {
    let v = |m: &sqlx::migrate::Migrator| m.iter().map(|m| m.version).collect();
    (v(&SQLITE_MIGRATOR), v(&POSTGRES_MIGRATOR))
}

/// A connection of either database, lent by a [`Pooled`] or a [`Tx`]: a store function written
/// once over it runs inside a transaction or on its own.
pub enum Conn<'c> {
    Sqlite(&'c mut sqlx::SqliteConnection),
    Postgres(&'c mut sqlx::PgConnection),
}

/// A connection taken from a pool: for reads from [`Db::reader`] (on SQLite, one of the
/// read-only connections of [`lent`]), the writer from [`Db::writer`] (on SQLite, the one
/// writer connection of [`lent`]).
pub enum Pooled {
    Sqlite(sqlx::pool::PoolConnection<sqlx::Sqlite>),
    SqliteRead(lent::Lent),
    SqliteWriter(lent::Lent),
    Postgres(sqlx::pool::PoolConnection<sqlx::Postgres>),
}

impl Pooled {
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            Pooled::Sqlite(c) => Conn::Sqlite(c),
            Pooled::SqliteRead(c) | Pooled::SqliteWriter(c) => Conn::Sqlite(c),
            Pooled::Postgres(c) => Conn::Postgres(c),
        }
    }
}

impl Db {
    /// A connection for reads outside a transaction; it returns to the pool when dropped.
    pub async fn reader(&self) -> Result<Pooled, sqlx::Error> {
        if let Some(r) = &self.reads {
            return Ok(Pooled::SqliteRead(lent::get(r).await?));
        }
        Ok(match &self.read {
            Pool::Sqlite(p) => Pooled::Sqlite(p.acquire().await?),
            Pool::Postgres(p) => Pooled::Postgres(p.acquire().await?),
        })
    }
}

impl Db {
    /// A connection of the write pool for one statement outside a transaction (a session, a
    /// job's heartbeat): it returns to the pool when dropped.
    pub async fn writer(&self) -> Result<Pooled, sqlx::Error> {
        if let Some(w) = &self.writer {
            return Ok(Pooled::SqliteWriter(lent::get(w).await?));
        }
        Ok(match &self.write {
            Pool::Sqlite(p) => Pooled::Sqlite(p.acquire().await?),
            Pool::Postgres(p) => Pooled::Postgres(p.acquire().await?),
        })
    }
}

impl Conn<'_> {
    pub fn is_sqlite(&self) -> bool {
        matches!(self, Conn::Sqlite(_))
    }
}

/// `$1,$2,…,$n`: the marks of an `IN (…)` list of `n` values (the batch sends marks in order as
/// SQLite's anonymous `?`).
pub fn list_marks(n: usize) -> String {
    let mut out = String::with_capacity(n * 6);
    for i in 1..=n {
        if i > 1 {
            out.push(',');
        }
        out.push('$');
        out.push_str(&i.to_string());
    }
    out
}

/// `(…),(…)` placeholders for a multi-row insert of `rows` rows of `cols` columns. SQLite gets
/// anonymous `?`: sqlx resolves each named `$N` by a linear search, which turns thousands of
/// parameters quadratic.
pub fn row_marks(sqlite: bool, rows: usize, cols: usize) -> String {
    if sqlite {
        let row = format!("({})", vec!["?"; cols].join(","));
        return vec![row; rows].join(",");
    }
    row_marks_after(0, rows, cols)
}

/// [`row_marks`] numbered `$` from `skip + 1`, after the statement's own first `skip` marks.
pub fn row_marks_after(skip: usize, rows: usize, cols: usize) -> String {
    let mut out = String::with_capacity(rows * (cols * 6 + 3));
    for r in 0..rows {
        out.push_str(if r == 0 { "(" } else { ",(" });
        for c in 1..=cols {
            if c > 1 {
                out.push(',');
            }
            out.push('$');
            out.push_str(&(skip + r * cols + c).to_string());
        }
        out.push(')');
    }
    out
}

/// Runs `$body` with `$x` bound to the concrete connection behind a `&mut Conn`; use `&mut **$x`
/// as the executor.
#[macro_export]
macro_rules! on {
    ($c:expr, $x:ident => $body:expr) => {
        match $c {
            $crate::db::Conn::Sqlite($x) => $body,
            $crate::db::Conn::Postgres($x) => $body,
        }
    };
}

/// Runs a write query on a `&mut Conn` and answers the rows it touched, one type on both arms.
#[macro_export]
macro_rules! exec {
    ($c:expr, $x:ident => $q:expr) => {
        $crate::on!($c, $x => $q.execute(&mut **$x).await.map(|r| r.rows_affected()))
    };
}

#[cfg(test)]
mod tests {
    #[test]
    fn row_marks_number_postgres_and_not_sqlite() {
        assert_eq!(super::row_marks(false, 2, 2), "($1,$2),($3,$4)");
        assert_eq!(super::row_marks(true, 2, 3), "(?,?,?),(?,?,?)");
        assert_eq!(super::row_marks(true, 0, 3), "");
        assert_eq!(super::row_marks_after(1, 2, 3), "($2,$3,$4),($5,$6,$7)");
        assert_eq!(super::list_marks(3), "$1,$2,$3");
    }

    #[test]
    fn both_backends_have_the_same_migrations() {
        let (sqlite, postgres) = super::migration_versions();
        assert!(!sqlite.is_empty());
        assert_eq!(sqlite, postgres);
        let names = |dir: &str| -> Vec<String> {
            let mut v: Vec<String> = std::fs::read_dir(dir)
                .expect("migrations folder")
                .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().to_string()))
                .collect();
            v.sort();
            v
        };
        assert_eq!(names("migrations/sqlite"), names("migrations/postgres"));
    }

    #[test]
    fn database_urls_resolve() {
        use super::Target;
        let dir = std::path::Path::new("/d");
        assert!(
            matches!(Target::resolve(None, dir), Ok(Target::Sqlite(p)) if p == dir.join("throughline.db"))
        );
        assert!(matches!(
            Target::resolve(Some("postgres://u@h/db"), dir),
            Ok(Target::Postgres(_))
        ));
        assert!(Target::resolve(Some("mysql://x"), dir).is_err());
    }
}
