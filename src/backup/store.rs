//! Backup files on disk: taking one with SQLite's `VACUUM INTO` (a consistent copy while the
//! server keeps writing), checking it, listing and pruning the folder, and restoring a copy
//! into an empty data directory.

use std::fs::File;
use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::Utc;

use super::BackupFile;
use crate::db::{Db, Pool};

/// What a check of a copy found.
#[derive(Debug)]
pub struct Checked {
    /// Migration versions the copy has applied.
    pub applied: Vec<i64>,
    /// Every table with its row count.
    pub tables: Vec<(String, i64)>,
}

impl Checked {
    pub fn rows(&self) -> i64 {
        self.tables.iter().map(|(_, n)| n).sum()
    }
    pub fn schema(&self) -> i64 {
        self.applied.last().copied().unwrap_or(0)
    }
}

/// Writes a consistent copy of the SQLite database to `out`, which must not exist.
///
/// The copy runs on a connection of its own, not the pool's single writer: `VACUUM INTO` only
/// reads the source (in WAL mode beside the writer), so the server keeps writing meanwhile.
pub async fn vacuum_into(db: &Db, out: &Path) -> anyhow::Result<()> {
    let Pool::Sqlite(p) = &db.write else {
        anyhow::bail!(
            "only an SQLite database is copied this way; back up PostgreSQL with pg_dump"
        );
    };
    let opts = (*p.connect_options()).clone().create_if_missing(false);
    let mut c = <sqlx::SqliteConnection as sqlx::Connection>::connect_with(&opts)
        .await
        .context("opening the database for the copy")?;
    let path = out.to_string_lossy().to_string();
    // VACUUM INTO writes a consistent copy while other connections keep reading and writing.
    let copied = sqlx::query("VACUUM INTO $1")
        .bind(&path)
        .execute(&mut c)
        .await
        .with_context(|| format!("copying the database to {}", out.display()));
    let _ = sqlx::Connection::close(c).await;
    copied.map(|_| ())
}

/// Opens a copy read-only and checks it: `PRAGMA integrity_check`, then reads its migrations
/// and row counts. The caller judges the schema with [`super::schema_fits`].
pub async fn check(copy: &Path) -> anyhow::Result<Checked> {
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
        let integrity: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_all(&pool)
            .await
            .map_err(|e| {
                anyhow::anyhow!("{} is not a readable SQLite database: {e}", copy.display())
            })?;
        if integrity != ["ok"] {
            anyhow::bail!(
                "{} fails its integrity check: {}",
                copy.display(),
                integrity.join("; ")
            );
        }
        let applied: Vec<i64> = sqlx::query_scalar(
            "SELECT version FROM _sqlx_migrations WHERE success ORDER BY version",
        )
        .fetch_all(&pool)
        .await
        .map_err(|_| {
            anyhow::anyhow!(
                "{} is not a Throughline database (it has no migrations table)",
                copy.display()
            )
        })?;
        Ok(Checked {
            applied,
            tables: table_counts(&pool).await?,
        })
    }
    .await;
    pool.close().await;
    result
}

/// Row counts of every table of an SQLite database (FTS shadow tables included: they are data
/// the copy must carry too).
pub async fn table_counts(pool: &sqlx::SqlitePool) -> anyhow::Result<Vec<(String, i64)>> {
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

/// Takes one backup into `dir`: copied beside its final name, synced, checked (integrity and
/// this build's full schema), and only then renamed into place. On any failure the partial copy
/// is removed, so the folder never holds a half-written or unchecked file under a backup's name.
pub async fn take(db: &Db, dir: &Path) -> anyhow::Result<BackupFile> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("creating the backup folder {}", dir.display()))?;
    let taken_at = crate::db::now();
    let (partial, done) = super::file_names(taken_at);
    let (tmp, path) = (dir.join(partial), dir.join(done.clone()));
    if path.exists() {
        anyhow::bail!(
            "{} already exists (a backup this same second)",
            path.display()
        );
    }
    let written = async {
        vacuum_into(db, &tmp).await?;
        File::open(&tmp)
            .and_then(|f| f.sync_all())
            .with_context(|| format!("syncing {}", tmp.display()))?;
        let checked = check(&tmp).await?;
        super::schema_fits(&checked.applied, &crate::db::migration_versions().0, true)
            .map_err(|e| anyhow::anyhow!("the copy {} is not usable: {e}", tmp.display()))?;
        std::fs::rename(&tmp, &path)
            .with_context(|| format!("renaming {} to {}", tmp.display(), path.display()))?;
        sync_dir(dir);
        anyhow::Ok(())
    }
    .await;
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    Ok(BackupFile {
        name: done,
        path,
        bytes,
        taken_at,
        verified: true,
    })
}

/// Makes a rename durable: the directory entry is synced too. Best effort: not every
/// filesystem lets a directory be opened for syncing.
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// The backups in `dir`, newest first; an absent folder has none.
pub fn list(dir: &Path) -> std::io::Result<Vec<BackupFile>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some((taken_at, verified)) = super::parse_name(&name) else {
            continue;
        };
        let meta = entry.metadata()?;
        if !meta.is_file() {
            continue;
        }
        out.push(BackupFile {
            name,
            path: entry.path(),
            bytes: meta.len(),
            taken_at,
            verified,
        });
    }
    out.sort_by_key(|f| std::cmp::Reverse(f.taken_at));
    Ok(out)
}

/// The newest checked backup in `dir`.
pub fn last_good(dir: &Path) -> std::io::Result<Option<BackupFile>> {
    Ok(super::newest_good(&list(dir)?).cloned())
}

/// Deletes what [`super::to_prune`] picks; answers the files it removed.
pub fn prune(dir: &Path, keep: usize) -> std::io::Result<Vec<BackupFile>> {
    let files = list(dir)?;
    let gone: Vec<BackupFile> = super::to_prune(&files, keep, Utc::now())
        .into_iter()
        .cloned()
        .collect();
    for f in &gone {
        std::fs::remove_file(&f.path)?;
    }
    Ok(gone)
}

/// Restores a backup as the database file `target`, which must not exist yet: the copy is
/// checked, written beside `target`, synced and renamed into place. Migrating it to this build's
/// schema is the caller's next step.
pub async fn restore(backup: &Path, target: &Path) -> anyhow::Result<Checked> {
    let wal = PathBuf::from(format!("{}-wal", target.display()));
    if target.exists() || wal.exists() {
        anyhow::bail!(
            "{} already exists; a backup is restored only into an empty data directory (move the database away, or choose another --data-dir)",
            target.display()
        );
    }
    let checked = check(backup).await?;
    super::schema_fits(&checked.applied, &crate::db::migration_versions().0, false)
        .map_err(|e| anyhow::anyhow!("{} cannot be restored: {e}", backup.display()))?;
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let tmp = dir.join(format!(
        ".{}.restoring",
        target.file_name().unwrap_or_default().to_string_lossy()
    ));
    let copied = (|| {
        std::fs::copy(backup, &tmp)?;
        File::open(&tmp)?.sync_all()?;
        std::fs::rename(&tmp, target)
    })();
    if let Err(e) = copied {
        let _ = std::fs::remove_file(&tmp);
        return Err(anyhow::anyhow!(
            "copying {} to {}: {e}",
            backup.display(),
            target.display()
        ));
    }
    sync_dir(dir);
    Ok(checked)
}
