//! Upgrades: every released version's fixture (tests/fixtures/v*/, made by scripts/make-fixture)
//! is migrated by this build and served with nothing lost. The fixture of the current version
//! proves a no-op upgrade; older ones prove the migrations in between.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;
use throughline::db::{Db, Target};
use throughline::web::{router, AppState};

async fn count(db: &Db, table: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    throughline::with_pool!(&db.read, p => sqlx::query_scalar::<_, i64>(&sql).fetch_one(p).await)
        .unwrap()
}

async fn counts(db: &Db, tables: &[String]) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for t in tables {
        out.insert(t.clone(), count(db, t).await);
    }
    out
}

/// The fixture as the test's database: the SQLite file copied, or the pg_dump loaded.
async fn load(fixture: &Path, target: &Target) {
    match target {
        Target::Sqlite(path) => {
            std::fs::copy(fixture.join("throughline.db"), path).unwrap();
        }
        Target::Postgres(url) => {
            let dump = std::fs::read_to_string(fixture.join("throughline.pg.sql")).unwrap();
            // psql's own commands (\restrict, …) are not SQL.
            let sql: String = dump
                .lines()
                .filter(|l| !l.starts_with('\\'))
                .map(|l| format!("{l}\n"))
                .collect();
            let mut c = <sqlx::PgConnection as sqlx::Connection>::connect(url)
                .await
                .unwrap();
            sqlx::raw_sql(&sql).execute(&mut c).await.unwrap();
            <sqlx::PgConnection as sqlx::Connection>::close(c)
                .await
                .unwrap();
        }
    }
}

async fn upgrade(fixture: &Path) {
    let dir = tempfile::tempdir().unwrap();
    let target = crate::support::test_target(dir.path()).await;
    load(fixture, &target).await;
    let expected: BTreeMap<String, i64> =
        serde_json::from_str(&std::fs::read_to_string(fixture.join("counts.json")).unwrap())
            .unwrap();
    let tables: Vec<String> = expected.keys().cloned().collect();

    let db = Db::connect(&target, false).await.unwrap();
    assert_eq!(
        counts(&db, &tables).await,
        expected,
        "{}: the fixture as loaded",
        fixture.display()
    );
    db.migrate().await.unwrap();
    assert!(db.pending_migrations().await.unwrap().is_empty());
    assert_eq!(
        counts(&db, &tables).await,
        expected,
        "{}: rows lost by the upgrade",
        fixture.display()
    );

    // Served: an item answers through the API with its fields.
    let user = throughline::auth::store::find_by_email(&db, "demo@throughline.local")
        .await
        .unwrap()
        .unwrap();
    let token = throughline::auth::store::create_token(&db, user.id, "upgrade", false)
        .await
        .unwrap();
    let state = AppState {
        db: db.clone(),
        metrics: throughline::metrics_handle(),
        secure_cookies: false,
        backups: throughline::backup::schedule::Plan {
            dir: dir.path().join("backups"),
            every: None,
            keep: 7,
        },
        setup: Default::default(),
        mail: None,
        oidc: Default::default(),
        hashing: throughline::passwords::Hashing::for_this_machine(),
        behind_proxy: false,
        metrics_token: None,
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router(state)).await;
    });
    let client = reqwest::Client::new();
    let health = client
        .get(format!("http://{addr}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    let r = client
        .get(format!("http://{addr}/api/v1/workspaces/demo/items/ONB-1"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let item: Value = r.json().await.unwrap();
    assert_eq!(item["key"], "ONB-1");
    for field in ["title", "kind", "status", "version", "criteria"] {
        assert!(
            !item[field].is_null(),
            "{}: ONB-1 has no {field}: {item}",
            fixture.display()
        );
    }
    db.close().await;
}

#[tokio::test]
async fn every_released_fixture_upgrades_and_serves_with_nothing_lost() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() && p.file_name().unwrap().to_string_lossy().starts_with('v'))
        .collect();
    fixtures.sort();
    assert!(!fixtures.is_empty(), "no fixtures under {}", root.display());
    for f in fixtures {
        upgrade(&f).await;
    }
}
