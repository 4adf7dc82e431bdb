//! Write transactions (db::tx): on SQLite BEGIN goes out with a transaction's first
//! statements and COMMIT with its last, and the one writer connection is lent without a check
//! on its way back, so a transaction given up in any way must be undone before the next
//! writer has the connection. Each test runs on the suite's database and on an SQLite file of
//! its own.

use std::time::Duration;

use throughline::db::batch::Read;
use throughline::db::{self, Db, Target};

use crate::support::spawn_app;

fn count(like: &str) -> Read<i64> {
    Read::query(
        "SELECT COUNT(*) FROM users WHERE email LIKE $1",
        vec![like.into()],
        |rows| Ok(rows.one::<(i64,)>()?.0),
    )
}

fn insert(email: &str) -> Read<()> {
    Read::exec(
        "INSERT INTO users (email, name, password_hash, created_at) VALUES ($1, 'Tx Test', '', $2)",
        vec![email.into(), db::now().into()],
    )
}

/// The suite's database (its app kept alive: dropping it removes an SQLite file) and an SQLite
/// file of the test's own.
async fn both() -> Vec<(Db, Box<dyn std::any::Any>)> {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let sqlite = Db::connect(&Target::Sqlite(dir.path().join("t.db")), true)
        .await
        .unwrap();
    sqlite.migrate().await.unwrap();
    vec![(app.db.clone(), Box::new(app)), (sqlite, Box::new(dir))]
}

/// The next transaction starts cleanly and writes, and the given-up one left nothing.
async fn next_writer_is_clean(db: &Db, given_up: &str) {
    let next = async {
        let (mut tx, before) = db.begin_with(count("tx-next-%")).await.unwrap();
        insert(&format!("tx-next-{before}@example.com"))
            .run(&mut tx.conn())
            .await
            .unwrap();
        tx.commit_with(count("tx-next-%")).await.unwrap()
    };
    let (before, after) = (
        count("tx-next-%").on(db).await.unwrap(),
        tokio::time::timeout(Duration::from_secs(10), next)
            .await
            .expect("the next transaction is not kept waiting"),
    );
    assert_eq!(after, before + 1, "the next transaction's own write");
    assert_eq!(
        count(given_up).on(db).await.unwrap(),
        0,
        "{given_up} is undone"
    );
}

#[tokio::test]
async fn begin_with_and_commit_with_answer_their_reads_and_commit() {
    for (db, _dir) in both().await {
        let (mut tx, none) = db.begin_with(count("tx-one-%")).await.unwrap();
        assert_eq!(none, 0);
        insert("tx-one-a@example.com")
            .run(&mut tx.conn())
            .await
            .unwrap();
        let inside = tx
            .commit_with(insert("tx-one-b@example.com").then(count("tx-one-%")))
            .await
            .unwrap();
        assert_eq!(inside, 2, "the last read sees the transaction's writes");
        assert_eq!(count("tx-one-%").on(&db).await.unwrap(), 2, "committed");
    }
}

#[tokio::test]
async fn a_transaction_dropped_before_its_commit_is_undone() {
    for (db, _dir) in both().await {
        let mut tx = db.begin().await.unwrap();
        insert("tx-dropped@example.com")
            .run(&mut tx.conn())
            .await
            .unwrap();
        drop(tx);
        next_writer_is_clean(&db, "tx-dropped%").await;
    }
}

#[tokio::test]
async fn a_commit_whose_statements_fail_half_way_commits_nothing() {
    for (db, _dir) in both().await {
        let tx = db.begin().await.unwrap();
        let failed = tx
            .commit_with(insert("tx-half@example.com").then(insert("tx-half@example.com")))
            .await;
        assert!(failed.is_err(), "the second insert repeats a unique email");
        next_writer_is_clean(&db, "tx-half%").await;
    }
}

#[tokio::test]
async fn a_transaction_whose_task_is_cancelled_is_undone() {
    for (db, _dir) in both().await {
        let (started, mut wait) = tokio::sync::mpsc::channel::<()>(1);
        let writer = db.clone();
        let task = tokio::spawn(async move {
            let mut tx = writer.begin().await.unwrap();
            insert("tx-cancelled@example.com")
                .run(&mut tx.conn())
                .await
                .unwrap();
            started.send(()).await.unwrap();
            // A request whose client went away: its future is dropped here.
            std::future::pending::<()>().await;
            tx.commit().await.unwrap();
        });
        wait.recv().await.unwrap();
        task.abort();
        assert!(task.await.unwrap_err().is_cancelled());
        next_writer_is_clean(&db, "tx-cancelled%").await;
    }
}

#[tokio::test]
async fn rollback_undoes_at_once() {
    for (db, _dir) in both().await {
        let mut tx = db.begin().await.unwrap();
        insert("tx-rolled@example.com")
            .run(&mut tx.conn())
            .await
            .unwrap();
        tx.rollback().await.unwrap();
        next_writer_is_clean(&db, "tx-rolled%").await;
    }
}

/// A server copies SQLite's log back into the database file in the background
/// (`db::checkpoint`): the writer itself no longer does below 40,000 pages, so without the
/// task the file would stay as it was until the log reached that size.
#[tokio::test]
async fn the_log_is_copied_back_into_the_database_in_the_background() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let sqlite = Db::connect(&Target::Sqlite(path.clone()), true)
        .await
        .unwrap();
    sqlite.migrate().await.unwrap();
    // Whatever the migrations left in the log, copied back once, before the measured writes.
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(
            &mut *db::lent::get(sqlite.writer.as_ref().unwrap())
                .await
                .unwrap(),
        )
        .await
        .unwrap();
    let size = || std::fs::metadata(&path).unwrap().len();
    let before = size();
    for i in 0..400 {
        let mut tx = sqlite.begin().await.unwrap();
        insert(&format!("log-{i}-{}@example.com", "x".repeat(200)))
            .run(&mut tx.conn())
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    assert_eq!(size(), before, "the writer copied the log back itself");
    let task = db::checkpoint::spawn(&sqlite).expect("SQLite is checkpointed");
    let mut waited = Duration::ZERO;
    while size() == before && waited < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(50)).await;
        waited += Duration::from_millis(50);
    }
    task.abort();
    assert!(size() > before, "the log was not copied back within 10 s");
    assert_eq!(count("log-%").on(&sqlite).await.unwrap(), 400);
    sqlite.close().await;
    // PostgreSQL checkpoints itself.
    let app = spawn_app().await;
    if app.db.writer.is_none() {
        assert!(db::checkpoint::spawn(&app.db).is_none());
    }
}

/// On PostgreSQL a transaction's statements go as one message of prepared statements under a
/// savepoint (db::batch::message). A batch whose statements the connection has not prepared
/// yet (texts never sent before) is prepared and sent again there, and neither the writes made
/// before it in the transaction nor its own are lost or made twice.
#[tokio::test]
async fn a_batch_new_to_its_connection_keeps_the_transactions_earlier_writes() {
    for (db, _dir) in both().await {
        let nonce = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let fresh = |email: &str| {
            Read::exec(
                format!(
                    "INSERT INTO users (email, name, password_hash, created_at) \
                     VALUES ($1, 'Tx Test', '', $2) /* {nonce} */"
                ),
                vec![email.into(), db::now().into()],
            )
        };
        let (mut tx, none) = db.begin_with(count("tx-fresh-%")).await.unwrap();
        assert_eq!(none, 0);
        insert("tx-fresh-a@example.com")
            .run(&mut tx.conn())
            .await
            .unwrap();
        let seen = fresh("tx-fresh-b@example.com")
            .then(fresh("tx-fresh-c@example.com"))
            .then(count("tx-fresh-%"))
            .run(&mut tx.conn())
            .await
            .unwrap();
        assert_eq!(
            seen, 3,
            "the batch sees the write before it and its own two"
        );
        let last = tx
            .commit_with(fresh("tx-fresh-d@example.com").then(count("tx-fresh-%")))
            .await
            .unwrap();
        assert_eq!(last, 4);
        assert_eq!(count("tx-fresh-%").on(&db).await.unwrap(), 4, "committed");
    }
}
