//! What `doctor` measures: the data directory on disk, the database, the backups. Each probe
//! answers [`Check`]s through the rules of [`super`].

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::Check;
use crate::db::{Db, Pool, Target};

/// What to examine, as the settings resolved it.
pub struct Setup {
    pub target: Target,
    pub config_file: Option<String>,
    pub backup_dir: PathBuf,
    pub backup_every: Option<Duration>,
    /// The SMTP settings; nothing is checked when no host is set.
    pub mail: crate::config::smtp::MailSettings,
}

/// Every check, in the order a reader fixes things: files, then the database, then backups.
pub async fn run(s: &Setup) -> Vec<Check> {
    let mut out = vec![Check::ok(
        "version",
        format!("throughline {}", crate::config::VERSION),
    )];
    out.push(Check::ok(
        "config file",
        s.config_file
            .clone()
            .unwrap_or_else(|| "none; flags, environment and defaults apply".into()),
    ));
    if let Target::Sqlite(file) = &s.target {
        let dir = file
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let dir_ok = data_dir(dir, &mut out);
        if !dir_ok {
            return out;
        }
        if !file.exists() {
            out.push(Check::fail("database", format!("no database at {}", file.display()), "run `throughline migrate` (or `serve`) to create it, or point data_dir at the right folder"));
            return out;
        }
    }
    let db = match Db::connect(&s.target, false).await {
        Ok(db) => db,
        Err(e) => {
            out.push(Check::fail(
                "database",
                format!("not reachable: {e:#}"),
                "check database_url, that the server runs and accepts this user",
            ));
            return out;
        }
    };
    match &db.read {
        Pool::Sqlite(p) => sqlite(p, &mut out).await,
        Pool::Postgres(p) => postgres(p, &mut out).await,
    }
    out.push(migrations(&db).await);
    out.push(backups(&db, s));
    // Endpoints the server talks to, one `Check` each (nothing is printed for what is not set
    // up): the SMTP server here; a sign-in provider's would go beside it.
    if let Some(c) = smtp(&s.mail).await {
        out.push(c);
    }
    db.close().await;
    out
}

/// Connects to the SMTP server as the worker would (TLS and login included), sending nothing.
async fn smtp(settings: &crate::config::smtp::MailSettings) -> Option<Check> {
    let smtp = match settings.check() {
        Ok(None) => return None,
        Ok(Some(s)) => s,
        Err((key, e)) => {
            return Some(Check::fail(
                "smtp",
                format!("{key}: {e}"),
                format!("set {key}, or unset smtp_host to send no e-mail"),
            ))
        }
    };
    let shown = format!("{}:{} ({})", smtp.host, smtp.port, smtp.security.as_str());
    let mailer = match crate::mail::Mailer::new(smtp) {
        Ok(m) => m,
        Err(e) => {
            return Some(Check::fail(
                "smtp",
                format!("{shown}: {e:#}"),
                "check smtp_host",
            ))
        }
    };
    Some(match mailer.probe().await {
        Ok(()) => Check::ok("smtp", format!("{shown} answers and accepts this connection")),
        Err(e) => Check::fail(
            "smtp",
            format!("{shown}: {e}"),
            "check smtp_host, smtp_port and smtp_security (587 is starttls, 465 is tls), the user name and password, and that this machine may reach the server",
        ),
    })
}

/// Exists, is a directory, is writable, is not open to others, has room. False when the rest
/// cannot be checked.
fn data_dir(dir: &Path, out: &mut Vec<Check>) -> bool {
    let shown = dir.display().to_string();
    let meta = match std::fs::metadata(dir) {
        Ok(m) => m,
        Err(e) => {
            out.push(Check::fail(
                "data directory",
                format!("{shown}: {e}"),
                "create it (`throughline migrate` does) or set data_dir to the right folder",
            ));
            return false;
        }
    };
    if !meta.is_dir() {
        out.push(Check::fail(
            "data directory",
            format!("{shown} is not a directory"),
            "set data_dir to a folder",
        ));
        return false;
    }
    let probe = dir.join(format!(".doctor-{}", std::process::id()));
    match std::fs::write(&probe, b"") {
        Ok(()) => {
            let _ = std::fs::remove_file(&probe);
            out.push(Check::ok(
                "data directory",
                format!("{shown} is a writable directory"),
            ));
        }
        Err(e) => out.push(Check::fail(
            "data directory",
            format!("{shown} is not writable by this user: {e}"),
            format!("run as the user that owns it, or chown that user {shown}"),
        )),
    }
    let db_file = dir.join("throughline.db");
    let db_mode = std::fs::metadata(&db_file)
        .ok()
        .map(|m| m.permissions().mode() & 0o777);
    let db_shown = db_file.display().to_string();
    out.push(super::permissions(
        &shown,
        meta.permissions().mode() & 0o777,
        db_mode.map(|m| (db_shown.as_str(), m)),
    ));
    match rustix::fs::statvfs(dir) {
        Ok(s) => out.push(super::free_space(
            &shown,
            s.f_bavail.saturating_mul(s.f_frsize),
        )),
        Err(e) => out.push(Check::warn(
            "free space",
            format!("cannot read the free space of {shown}: {e}"),
            "check the filesystem with df",
        )),
    }
    true
}

async fn sqlite(p: &sqlx::SqlitePool, out: &mut Vec<Check>) {
    match sqlx::query_scalar::<_, String>("PRAGMA integrity_check").fetch_all(p).await {
        Ok(r) if r == ["ok"] => out.push(Check::ok("database", "SQLite integrity check ok")),
        Ok(r) => out.push(Check::fail("database", format!("SQLite integrity check: {}", r.join("; ")), "stop the server and restore the last good backup (`throughline restore --backup FILE`)")),
        Err(e) => out.push(Check::fail("database", format!("SQLite integrity check could not run: {e}"), "check the file's owner and permissions")),
    }
    match sqlx::query_scalar::<_, String>("PRAGMA journal_mode")
        .fetch_one(p)
        .await
    {
        Ok(m) if m.eq_ignore_ascii_case("wal") => out.push(Check::ok("journal mode", "WAL")),
        Ok(m) => out.push(Check::warn(
            "journal mode",
            format!("{m}, not WAL"),
            "keep the data directory on a local filesystem (WAL needs shared memory)",
        )),
        Err(e) => out.push(Check::warn(
            "journal mode",
            format!("unreadable: {e}"),
            "check the database file",
        )),
    }
    out.push(Check::ok(
        "clock",
        format!(
            "SQLite uses this machine's clock (now {}); keep it synchronised with NTP",
            crate::db::now().format("%Y-%m-%d %H:%M:%S UTC")
        ),
    ));
}

async fn postgres(p: &sqlx::PgPool, out: &mut Vec<Check>) {
    let facts: Result<(i32, String, String, String), sqlx::Error> = sqlx::query_as(
        "SELECT current_setting('server_version_num')::int4, current_setting('server_version'),
                current_setting('server_encoding'), datcollate::text
         FROM pg_database WHERE datname = current_database()",
    )
    .fetch_one(p)
    .await;
    match facts {
        Ok((num, version, encoding, collation)) => {
            out.push(Check::ok("database", "PostgreSQL reachable"));
            out.push(super::postgres_version(num.max(0) as u32, &version));
            out.push(super::postgres_settings(&encoding, &collation));
        }
        Err(e) => out.push(Check::fail(
            "database",
            format!("PostgreSQL answered with an error: {e}"),
            "check the user's rights on the database",
        )),
    }
    // The server's clock against ours, at the middle of the round trip.
    let before = chrono::Utc::now();
    let theirs: Result<chrono::DateTime<chrono::Utc>, sqlx::Error> =
        sqlx::query_scalar("SELECT now()").fetch_one(p).await;
    let after = chrono::Utc::now();
    match theirs {
        Ok(t) => out.push(super::clock_skew(t - (before + (after - before) / 2))),
        Err(e) => out.push(Check::warn(
            "clock",
            format!("cannot read the database server's clock: {e}"),
            "check the connection",
        )),
    }
}

async fn migrations(db: &Db) -> Check {
    let applied = match db.applied_versions().await {
        Ok(a) => a,
        Err(e) => {
            return Check::fail(
                "migrations",
                format!("cannot read the applied migrations: {e:#}"),
                "check the database",
            )
        }
    };
    let known: Vec<i64> = if db.is_sqlite() {
        crate::db::migration_versions().0
    } else {
        crate::db::migration_versions().1
    };
    let unknown: Vec<i64> = applied
        .iter()
        .copied()
        .filter(|v| !known.contains(v))
        .collect();
    match db.pending_migrations().await {
        Ok(pending) => super::migrations(&pending, &unknown),
        Err(e) => Check::fail(
            "migrations",
            format!("cannot compare the migrations: {e:#}"),
            "check the database",
        ),
    }
}

fn backups(db: &Db, s: &Setup) -> Check {
    if !db.is_sqlite() {
        return Check::ok("backups", "the server takes none on PostgreSQL: schedule pg_dump (`throughline backup` prints the command)");
    }
    if s.backup_every.is_none() {
        return Check::warn(
            "backups",
            "scheduled backups are off (backup_every = off)",
            "set backup_every (e.g. \"24h\"), or back up the data directory another way",
        );
    }
    let dir = s.backup_dir.display();
    match crate::backup::list(&s.backup_dir) {
        Err(e) => Check::warn(
            "backups",
            format!("cannot read {dir}: {e}"),
            "check the backup folder's owner and permissions",
        ),
        Ok(files) => {
            let now = chrono::Utc::now();
            let last = crate::backup::newest_good(&files);
            match (crate::backup::stale_warning(last, now), last) {
                (Some(w), _) => Check::warn("backups", format!("{w} (in {dir})"), "check the server log for \"backup failed\"; take one now with `throughline backup --out FILE --verify`"),
                (None, Some(f)) => Check::ok("backups", format!("last good backup {} is {} old ({}), {} in {dir}", f.name, crate::backup::age(now - f.taken_at), crate::backup::size(f.bytes), files.iter().filter(|f| f.verified).count())),
                (None, None) => Check::warn("backups", format!("none in {dir}"), "start the server: it takes one at once"),
            }
        }
    }
}
