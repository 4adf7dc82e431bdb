//! A request keeps one read connection for all its reads (db::one_reader_per_request): its
//! reads see its own writes, and requests that read and then write never wait on each other
//! for connections, on either database.

use std::time::Duration;

use throughline::db::{self, Db, Pool};

use crate::support::spawn_app;

async fn users(db: &Db) -> i64 {
    throughline::on!(&mut db.reader().await.unwrap().conn(), c =>
        sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(&mut **c).await)
    .unwrap()
}

async fn add_user(db: &Db, email: &str) {
    let mut tx = db.begin().await.unwrap();
    throughline::exec!(&mut tx.conn(), c => sqlx::query(
        "INSERT INTO users (email, name, password_hash, created_at) VALUES ($1, 'Reader Test', '', $2)")
        .bind(email).bind(db::now()))
    .unwrap();
    tx.commit().await.unwrap();
}

/// Connections of the read pool that are out of it (kept or in use).
fn reads_out(db: &Db) -> u32 {
    match &db.read {
        Pool::Sqlite(p) => p.size() - p.num_idle() as u32,
        Pool::Postgres(p) => p.size() - p.num_idle() as u32,
    }
}

/// The pool takes a connection back in a task of its own: give it the time to run.
async fn settled() {
    tokio::time::sleep(Duration::from_millis(100)).await;
}

#[tokio::test]
async fn a_request_reads_its_own_write() {
    let app = spawn_app().await;
    let db = app.db.clone();
    db::one_reader_per_request(async {
        let before = users(&db).await;
        add_user(&db, "own-write@example.com").await;
        assert_eq!(
            users(&db).await,
            before + 1,
            "the read after the write sees it"
        );
    })
    .await;
}

#[tokio::test]
async fn a_request_keeps_one_read_connection_until_it_ends() {
    let app = spawn_app().await;
    let db = app.db.clone();
    settled().await;
    let idle_out = reads_out(&db);
    db::one_reader_per_request(async {
        for _ in 0..5 {
            users(&db).await;
        }
        settled().await;
        // Kept for the request: one out, not five and not none.
        assert_eq!(reads_out(&db), idle_out + 1);
    })
    .await;
    settled().await;
    assert_eq!(reads_out(&db), idle_out, "given back when the request ends");
}

#[tokio::test]
async fn requests_that_read_then_write_do_not_wait_on_each_other() {
    let app = spawn_app().await;
    // More requests than PostgreSQL's pool has connections (16), each reading before its
    // transaction: if each kept its read connection while waiting for one to write with, the
    // pool would run dry and every one of them would wait out the pool's timeout.
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let db = app.db.clone();
            tokio::spawn(db::one_reader_per_request(async move {
                users(&db).await;
                add_user(&db, &format!("concurrent-{i}@example.com")).await;
                users(&db).await
            }))
        })
        .collect();
    let all = async {
        for t in tasks {
            t.await.unwrap();
        }
    };
    tokio::time::timeout(Duration::from_secs(8), all)
        .await
        .expect("40 requests that read and write finish well within the pool's timeout");
}
