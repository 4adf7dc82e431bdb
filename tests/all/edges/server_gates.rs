//! What the server says about itself and how: `/metrics` only with its token, HSTS once cookies
//! are secure, and `--durability full` in force on SQLite.

use crate::support;

use support::{spawn_app, spawn_app_with_state};

#[tokio::test]
async fn metrics_are_served_only_with_their_token() {
    let app = spawn_app().await;
    let r = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(r.status(), 404, "off without a token");
    let app = spawn_app_with_state(|s| s.metrics_token = Some("m-token-123".into())).await;
    let get = |token: Option<&'static str>| {
        let r = app.client.get(app.url("/metrics"));
        match token {
            Some(t) => r.bearer_auth(t),
            None => r,
        }
        .send()
    };
    assert_eq!(get(None).await.unwrap().status(), 401);
    assert_eq!(get(Some("m-token-12")).await.unwrap().status(), 401);
    let _ = app.client.get(app.url("/healthz")).send().await.unwrap();
    let r = get(Some("m-token-123")).await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("http_request_duration_seconds"));
}

#[tokio::test]
async fn hsts_is_sent_only_when_cookies_are_secure() {
    let app = spawn_app().await;
    let r = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert!(r.headers().get("strict-transport-security").is_none());
    let app = spawn_app_with_state(|s| s.secure_cookies = true).await;
    let r = app.client.get(app.url("/login")).send().await.unwrap();
    assert_eq!(r.headers()["strict-transport-security"], "max-age=31536000");
}

#[tokio::test]
async fn durability_full_sets_synchronous_full_on_sqlite() {
    use throughline::db::{Db, Durability, Target};
    let dir = tempfile::tempdir().unwrap();
    let target = Target::Sqlite(dir.path().join("t.db"));
    for (durability, level) in [(Durability::Normal, 1), (Durability::Full, 2)] {
        let db = Db::connect_with(&target, true, durability).await.unwrap();
        let got: i64 = throughline::with_pool!(&db.write, p => sqlx::query_scalar("PRAGMA synchronous").fetch_one(p).await).unwrap();
        assert_eq!(got, level, "{durability}");
        db.close().await;
    }
}
