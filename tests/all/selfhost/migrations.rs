//! Migrations: `migrate --dry-run` lists and applies nothing, an older schema migrates forward
//! keeping its rows, and a migration that fails rolls back (sqlx runs each in a transaction on
//! both databases) leaving the data and `_sqlx_migrations` as they were.

use throughline::db::Db;
use throughline::with_pool;

use super::{database_at, migrator, target_of};
use crate::support::cli::Cli;

async fn scalar_i64(db: &Db, sql: &str) -> i64 {
    with_pool!(&db.read, p => sqlx::query_scalar::<_, i64>(sql).fetch_one(p).await).unwrap()
}

async fn execute(db: &Db, sql: &str) {
    with_pool!(&db.write, p => sqlx::query(sql).execute(p).await.map(|_| ())).unwrap();
}

#[tokio::test]
async fn dry_run_lists_what_would_run_and_an_older_schema_migrates_forward_keeping_its_rows() {
    let cli = Cli::new().await;
    let target = target_of(&cli);
    let all = throughline::db::migration_versions().0;
    let old = all[all.len() - 3];
    // A database of an earlier version, with an account made by that version's schema.
    let db = database_at(&target, old).await;
    execute(&db, "INSERT INTO users (email, name, password_hash, created_at) VALUES ('old@example.com', 'Old Timer', 'x', '2026-01-01T00:00:00Z')").await;
    let pending = db.pending_migrations().await.unwrap();
    db.close().await;
    assert_eq!(
        pending.iter().map(|p| p.0).collect::<Vec<_>>(),
        all[all.len() - 2..].to_vec()
    );

    let text = cli.ok(&["migrate", "--dry-run"]);
    assert!(text.starts_with("2 migrations would run:"), "{text}");
    for (version, name) in &pending {
        assert!(text.contains(&format!("{version:04} {name}")), "{text}");
    }
    let db = Db::connect(&target, false).await.unwrap();
    assert_eq!(
        db.applied_versions().await.unwrap().last(),
        Some(&old),
        "the dry run applied something"
    );
    db.close().await;

    let text = cli.ok(&["migrate"]);
    assert!(text.contains("applied 2 migrations"), "{text}");
    let db = Db::connect(&target, false).await.unwrap();
    assert_eq!(db.applied_versions().await.unwrap(), all);
    assert_eq!(
        scalar_i64(
            &db,
            "SELECT COUNT(*) FROM users WHERE email = 'old@example.com' AND name = 'Old Timer'"
        )
        .await,
        1
    );
    db.close().await;
    assert_eq!(
        cli.ok(&["migrate", "--dry-run"]).trim(),
        "the database is up to date: no migration would run"
    );
}

#[tokio::test]
async fn a_failing_migration_rolls_back_and_leaves_the_data_as_it_was() {
    let cli = Cli::new().await;
    let target = target_of(&cli);
    let db = Db::connect(&target, true).await.unwrap();
    db.migrate().await.unwrap();
    execute(&db, "INSERT INTO users (email, name, password_hash, created_at) VALUES ('kept@example.com', 'Kept', 'x', '2026-01-01T00:00:00Z')").await;
    let before = scalar_i64(&db, "SELECT COUNT(*) FROM _sqlx_migrations").await;
    // It changes data and the schema, then fails half-way.
    let broken = "UPDATE users SET name = 'Changed';\n\
                  CREATE TABLE half_done (id INTEGER PRIMARY KEY);\n\
                  INSERT INTO no_such_table VALUES (1);\n";
    let latest = *throughline::db::migration_versions().0.last().unwrap();
    let (m, _dir) = migrator(&target, latest, &[("9999_broken.sql", broken)]).await;
    let ran = with_pool!(&db.write, p => m.run(p).await);
    let e = ran.unwrap_err().to_string();
    assert!(e.contains("9999") || e.contains("no_such_table"), "{e}");
    assert_eq!(
        scalar_i64(&db, "SELECT COUNT(*) FROM users WHERE name = 'Kept'").await,
        1
    );
    assert_eq!(
        scalar_i64(&db, "SELECT COUNT(*) FROM _sqlx_migrations").await,
        before
    );
    let half_done = if db.is_sqlite() {
        "SELECT COUNT(*) FROM sqlite_master WHERE name = 'half_done'"
    } else {
        "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'half_done'"
    };
    assert_eq!(scalar_i64(&db, half_done).await, 0);
    assert!(db.pending_migrations().await.unwrap().is_empty());
    db.close().await;
}

/// On SQLite the migrations run with foreign keys off (a table is rebuilt to change a
/// constraint), so the references are checked after they ran: rows pointing at rows that are
/// gone stop `migrate`, naming their table. With nothing to run, nothing is checked, so the
/// start of a large database does not read all of it (0.6 s on a million items).
#[tokio::test]
async fn references_are_checked_on_sqlite_when_a_migration_ran() {
    let cli = Cli::new().await;
    let target = target_of(&cli);
    if matches!(target, throughline::db::Target::Postgres(_)) {
        return; // PostgreSQL keeps its foreign keys on throughout.
    }
    let all = throughline::db::migration_versions().0;
    let db = database_at(&target, all[all.len() - 2]).await;
    // A label of an item that is not there, written with the references unchecked.
    with_pool!(&db.write, p => {
        let mut c = p.acquire().await.unwrap();
        sqlx::query("PRAGMA foreign_keys = OFF").execute(&mut *c).await.unwrap();
        sqlx::query("INSERT INTO item_labels (item_id, label) VALUES (424242, 'orphan')")
            .execute(&mut *c).await.map(|_| ())
    })
    .unwrap();
    db.close().await;
    let err = cli.fails(&["migrate"]);
    assert!(
        err.contains("point at rows that are gone") && err.contains("item_labels"),
        "{err}"
    );
    // The last migration ran all the same (each commits on its own); with nothing left to run,
    // the references are not read again.
    let text = cli.ok(&["migrate"]);
    assert!(!text.contains("gone"), "{text}");
    let db = Db::connect(&target, false).await.unwrap();
    assert_eq!(db.applied_versions().await.unwrap(), all);
    db.close().await;
}
