//! Which reads go to the replica (DATABASE_REPLICA_URL): the heavy reports, and nothing that
//! must see its own write. Shown with a replica that cannot be reached: the reports fail, the
//! rest answers as before. The real replica is scripts/cluster's (tests/cluster).

use std::time::Duration;

use serde_json::json;
use throughline::db::Pool;

use crate::support;

use support::spawn_app_with_state;

#[tokio::test]
async fn the_reports_read_the_replica_and_everything_else_the_primary() {
    let app = spawn_app_with_state(|s| {
        if s.db.is_sqlite() {
            return;
        }
        // Port 1 of this machine: nothing listens, so each read there fails within a second.
        let nowhere = sqlx::postgres::PgPoolOptions::new()
            .acquire_timeout(Duration::from_secs(1))
            .connect_lazy("postgres://nobody@127.0.0.1:1/nowhere")
            .unwrap();
        s.db.replica = Some(Pool::Postgres(nowhere));
    })
    .await;
    if app.db.is_sqlite() {
        // SQLite has no replica: the reports' view is the database itself.
        let view = app.db.for_reports();
        assert_eq!(view.id, app.db.id);
        let e = app
            .db
            .clone()
            .with_replica("postgres://nobody@127.0.0.1:1/nowhere")
            .await
            .unwrap_err();
        assert!(e.to_string().contains("SQLite"), "{e}");
        return;
    }
    let owner = app.workspace().await;
    app.story(&owner, "sign up").await;
    // Writes and the reads that follow them stay on the primary.
    let r = app
        .post(
            &owner,
            "/api/v1/workspaces/acme/products/ONB/items",
            json!({"title": "sign in"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    for path in [
        "/api/v1/workspaces/acme/items/ONB-2",
        "/api/v1/workspaces/acme/products/ONB/items",
        "/w/acme/p/ONB/backlog",
    ] {
        assert_eq!(app.get(&owner, path).await.status(), 200, "{path}");
    }
    // The heavy reports read the replica, here unreachable.
    for path in [
        "/api/v1/workspaces/acme/products/ONB/alignment?quarter=2026-Q1",
        "/api/v1/workspaces/acme/products/ONB/reports",
        "/api/v1/workspaces/acme/roadmap",
        "/w/acme/roadmap",
        "/api/v1/workspaces/acme/products/ONB/documents/plan",
    ] {
        assert_eq!(app.get(&owner, path).await.status(), 500, "{path}");
    }
}
