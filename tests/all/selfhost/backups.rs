//! Scheduled backups and restores: a backup is whole and checked or absent, the schedule
//! fires and prunes, `backup list` shows them, and `restore --backup` refuses a database that
//! exists. On PostgreSQL the server takes none and says to use pg_dump.

use std::time::Duration;

use throughline::backup::{self, schedule, store};
use throughline::db::{Db, Target};

use super::{database_at, target_of};
use crate::support::cli::Cli;

async fn migrated(cli: &Cli) -> Db {
    let db = Db::connect(&target_of(cli), true).await.unwrap();
    db.migrate().await.unwrap();
    db
}

#[tokio::test]
async fn a_backup_is_checked_before_it_gets_its_name() {
    let cli = Cli::new().await;
    let db = migrated(&cli).await;
    let dir = cli.dir.path().join("backups");
    let taken = store::take(&db, &dir).await;
    if !db.is_sqlite() {
        let e = taken.unwrap_err().to_string();
        assert!(e.contains("pg_dump"), "{e}");
        return;
    }
    let taken = taken.unwrap();
    assert!(taken.verified && taken.bytes > 0);
    let listed = backup::list(&dir).unwrap();
    assert_eq!(listed, vec![taken.clone()]);
    assert_eq!(backup::last_good(&dir).unwrap(), Some(taken.clone()));
    let checked = store::check(&taken.path).await.unwrap();
    assert_eq!(checked.applied, throughline::db::migration_versions().0);
    let text = cli.ok(&["backup", "list", "--backup-dir", dir.to_str().unwrap()]);
    assert!(text.contains(&taken.name) && text.contains("KiB"), "{text}");
}

#[tokio::test]
async fn a_backup_that_fails_its_check_leaves_no_file_behind() {
    let cli = Cli::new().await;
    let target = target_of(&cli);
    // A database one migration behind: its copy does not have this build's schema.
    let versions = throughline::db::migration_versions().0;
    let previous = versions[versions.len() - 2];
    let db = database_at(&target, previous).await;
    let dir = cli.dir.path().join("backups");
    let e = store::take(&db, &dir).await.unwrap_err().to_string();
    if db.is_sqlite() {
        assert!(
            e.contains("is not usable") && e.contains(&format!("up to {previous}")),
            "{e}"
        );
    } else {
        assert!(e.contains("pg_dump"), "{e}");
    }
    let left: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.map(|e| e.unwrap().file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[tokio::test]
async fn the_schedule_fires_and_keeps_only_the_newest() {
    let cli = Cli::new().await;
    let db = migrated(&cli).await;
    let dir = cli.dir.path().join("backups");
    let plan = schedule::Plan {
        dir: dir.clone(),
        every: Some(Duration::from_secs(1)),
        keep: 2,
    };
    let Some(task) = schedule::spawn(db.clone(), plan) else {
        assert!(!db.is_sqlite(), "SQLite must get a schedule");
        return;
    };
    // Finished backups only: the one being written shows as a partial copy meanwhile.
    let finished = || -> Vec<backup::BackupFile> {
        backup::list(&dir)
            .unwrap()
            .into_iter()
            .filter(|f| f.verified)
            .collect()
    };
    let mut seen = std::collections::BTreeSet::new();
    let mut kept = None;
    for _ in 0..300 {
        let now = finished();
        seen.extend(now.iter().map(|f| f.name.clone()));
        if seen.len() >= 3 && now.len() == 2 {
            kept = Some(now);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    task.abort();
    let kept =
        kept.unwrap_or_else(|| panic!("no third backup pruned to 2 within 30 s; saw {seen:?}"));
    // The two kept are the newest taken.
    let newest: Vec<&String> = seen.iter().rev().take(2).collect();
    assert_eq!(kept.iter().map(|f| &f.name).collect::<Vec<_>>(), newest);
}

#[tokio::test]
async fn serve_takes_backups_on_its_schedule() {
    let cli = Cli::new().await;
    cli.ok(&["migrate"]);
    let dir = cli.dir.path().join("backups");
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_throughline"));
    cmd.env_remove("THROUGHLINE_CONFIG")
        .env_remove("DATABASE_URL")
        .env_remove("THROUGHLINE_LOG");
    if let Some(url) = &cli.database_url {
        cmd.env("DATABASE_URL", url);
    }
    let log = cli.dir.path().join("serve.log");
    let mut child = cmd
        .arg("--data-dir")
        .arg(cli.dir.path())
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--backup-every",
            "1s",
            "--backup-keep",
            "2",
        ])
        .stdout(std::fs::File::create(&log).unwrap())
        .stderr(std::fs::File::create(cli.dir.path().join("serve.err")).unwrap())
        .spawn()
        .unwrap();
    let sqlite = cli.database_url.is_none();
    let mut found = false;
    for _ in 0..200 {
        let logged = std::fs::read_to_string(&log).unwrap_or_default();
        found = if sqlite {
            backup::list(&dir)
                .unwrap()
                .iter()
                .filter(|f| f.verified)
                .count()
                >= 2
        } else {
            logged.contains("scheduled backups are off on PostgreSQL: back it up with pg_dump")
        };
        if found {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        found,
        "log: {}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );
}

#[tokio::test]
async fn restore_of_a_backup_refuses_an_existing_database() {
    let cli = Cli::demo().await;
    let copy = cli.dir.path().join("copy.db");
    let copy_s = copy.to_str().unwrap();
    if cli.database_url.is_some() {
        let e = cli.fails(&["restore", "--backup", copy_s]);
        assert!(e.contains("pg_restore"), "{e}");
        return;
    }
    cli.ok(&["backup", "--out", copy_s, "--verify"]);
    let e = cli.fails(&["restore", "--backup", copy_s]);
    assert!(
        e.contains("already exists") && e.contains("empty data directory"),
        "{e}"
    );
    // Into an empty data directory it comes back whole.
    let fresh = tempfile::tempdir().unwrap();
    let fresh_db = fresh.path().join("throughline.db");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_throughline"))
        .env_remove("DATABASE_URL")
        .env_remove("THROUGHLINE_CONFIG")
        .arg("--data-dir")
        .arg(fresh.path())
        .args(["restore", "--backup", copy_s])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let count = |t: Target| async move {
        let db = Db::connect(&t, false).await.unwrap();
        let n: i64 = throughline::with_pool!(&db.read, p => sqlx::query_scalar("SELECT COUNT(*) FROM items").fetch_one(p).await).unwrap();
        db.close().await;
        n
    };
    assert_eq!(
        count(Target::Sqlite(fresh_db)).await,
        count(target_of(&cli)).await
    );
}
