//! The backlog listing a server keeps (`throughline::governance::listing`, `db::kept`) is never
//! served after a change to what it shows: each kind of change, made through the API or
//! straight in the database (as another server process or an import would), shows on the
//! next request, on the page and in the API alike.

use crate::roadmap::{page, roadmap_fixture};
use crate::roadmap_kept::{id_of, sql};
use crate::support::{Caller, TestApp};

use serde_json::{json, Value};

const P: &str = "/api/v1/workspaces/acme/products/ONB";

/// The id an `INSERT … RETURNING id` made.
async fn inserted(app: &TestApp, statement: &str) -> i64 {
    throughline::with_pool!(&app.db.write, p => sqlx::query_scalar(statement).fetch_one(p).await)
        .expect("a statement the schema takes")
}

/// The listing through the API twice and the page twice (the second answers may come from
/// what the server kept; each pair the same); the API's items.
async fn listing(app: &TestApp, who: &Caller) -> (Vec<Value>, String) {
    let first: Value = app
        .get(who, &format!("{P}/items"))
        .await
        .json()
        .await
        .unwrap();
    let again: Value = app
        .get(who, &format!("{P}/items"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(first, again, "two requests with no change between them");
    let html = page(app, who, "/w/acme/p/ONB/backlog").await;
    let html_again = page(app, who, "/w/acme/p/ONB/backlog").await;
    let main = |h: &str| h.split("<main").nth(1).map(|m| m.to_string());
    assert_eq!(main(&html), main(&html_again));
    (again["items"].as_array().unwrap().clone(), html)
}

fn titled<'v>(items: &'v [Value], title: &str) -> &'v Value {
    items
        .iter()
        .find(|i| i["title"] == title)
        .unwrap_or_else(|| panic!("{title} listed: {items:?}"))
}

async fn patch_item(app: &TestApp, who: &Caller, key: &str, body: Value) {
    let v = app.show(who, key).await["version"].as_i64().unwrap();
    let path = format!("/api/v1/workspaces/acme/items/{key}");
    let r = app.patch(who, &path, v, body.clone()).await;
    assert_eq!(r.status(), 200, "{body}: {}", r.text().await.unwrap());
}

#[tokio::test]
async fn a_kept_backlog_follows_every_change_it_shows() {
    let app = crate::support::spawn_app().await;
    let pm = roadmap_fixture(&app).await;
    let tour = id_of(&app, "SELECT id FROM items WHERE title = 'Tour'").await;
    let number = id_of(&app, "SELECT number FROM items WHERE title = 'Tour'").await;
    let key = format!("ONB-{number}");
    let (items, html) = listing(&app, &pm).await;
    assert_eq!(titled(&items, "Tour")["tier"], 1);
    assert!(html.contains(">Tour"), "on the page");

    // The item's own fields, through the API.
    patch_item(&app, &pm, &key, json!({"title": "Product tour"})).await;
    let (items, html) = listing(&app, &pm).await;
    assert!(
        html.contains(">Product tour") && !html.contains(">Tour<"),
        "{html}"
    );
    patch_item(&app, &pm, &key, json!({"status": "in_progress"})).await;
    let (items2, _) = listing(&app, &pm).await;
    assert_eq!(titled(&items, "Product tour")["status"], "todo");
    assert_eq!(titled(&items2, "Product tour")["status"], "in_progress");

    // Straight in the database: the item, a label, evidence, an exemption, a new item.
    sql(
        &app,
        &format!("UPDATE items SET points = 800 WHERE id = {tour}"),
    )
    .await;
    let (items, _) = listing(&app, &pm).await;
    assert_eq!(titled(&items, "Product tour")["points"], 8);
    sql(
        &app,
        &format!("INSERT INTO item_labels (item_id, label) VALUES ({tour}, 'kept-label')"),
    )
    .await;
    let (items, html) = listing(&app, &pm).await;
    assert_eq!(
        titled(&items, "Product tour")["labels"],
        json!(["kept-label"])
    );
    assert!(html.contains("kept-label"));
    let user = id_of(&app, "SELECT id FROM users ORDER BY id LIMIT 1").await;
    let product = id_of(&app, "SELECT id FROM products WHERE key = 'ONB'").await;
    let source = inserted(&app, &format!(
        "INSERT INTO research_sources (product_id, kind, title, happened_on, created_at, updated_at)
         VALUES ({product}, 'interview', 'Call', '2026-01-05', '2026-01-05T00:00:00Z', '2026-01-05T00:00:00Z') RETURNING id"
    )).await;
    let insight = inserted(&app, &format!(
        "INSERT INTO insights (product_id, source_id, kind, body, importance, created_at, updated_at)
         VALUES ({product}, {source}, 'quote', 'They get lost', 3, '2026-01-05T00:00:00Z', '2026-01-05T00:00:00Z') RETURNING id"
    )).await;
    sql(
        &app,
        &format!("INSERT INTO item_evidence (insight_id, item_id) VALUES ({insight}, {tour})"),
    )
    .await;
    let (items, _) = listing(&app, &pm).await;
    assert_eq!(titled(&items, "Product tour")["evidence"], 1);
    sql(
        &app,
        &format!(
            "INSERT INTO tier_exemptions (product_id, item_id, reason, created_by, created_at)
         VALUES ({product}, {tour}, 'kept', {user}, '2026-01-05T00:00:00Z')"
        ),
    )
    .await;
    let (items, _) = listing(&app, &pm).await;
    assert_eq!(titled(&items, "Product tour")["exempt"], true);
    sql(
        &app,
        "UPDATE tier_exemptions SET revoked_at = '2026-01-06T00:00:00Z'",
    )
    .await;
    let (items, _) = listing(&app, &pm).await;
    assert_eq!(titled(&items, "Product tour")["exempt"], false);

    // What the roadmap counts: the initiative's title, the quarter's priorities.
    let setup = id_of(
        &app,
        "SELECT id FROM initiatives WHERE title = 'Guided setup'",
    )
    .await;
    sql(
        &app,
        &format!("UPDATE initiatives SET title = 'Guided onboarding' WHERE id = {setup}"),
    )
    .await;
    let (items, html) = listing(&app, &pm).await;
    assert_eq!(
        titled(&items, "Product tour")["initiative"],
        "Guided onboarding"
    );
    assert!(html.contains("Guided onboarding"), "the trace chip");
    let objective = id_of(&app, "SELECT id FROM objectives WHERE title = 'Activate'").await;
    let quarter = throughline::strategy::Quarter::of(throughline::strategy::today()).to_string();
    let r = app
        .post(
            &pm,
            &format!("{P}/priorities"),
            json!({"quarter": quarter, "title": "Something first", "objectives": [objective], "reason": "planning"}),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let extra: Value = r.json().await.unwrap();
    let r = app
        .post(
            &pm,
            &format!("{P}/priorities/{}/move", extra["id"]),
            json!({"to": "top", "reason": "first things first"}),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let (items, _) = listing(&app, &pm).await;
    assert_eq!(
        titled(&items, "Product tour")["tier"],
        2,
        "below the new top priority"
    );

    // An item added, and one deleted, by another process.
    sql(&app, &format!(
        "INSERT INTO items (product_id, number, kind, title, status, rank, created_by, created_at, updated_at)
         VALUES ({product}, 900, 'task', 'Written elsewhere', 'todo', 'zzzz', {user}, '2026-01-05T00:00:00Z', '2026-01-05T00:00:00Z')"
    )).await;
    let (items, html) = listing(&app, &pm).await;
    titled(&items, "Written elsewhere");
    assert!(html.contains("ONB-900"));
    sql(&app, "DELETE FROM items WHERE number = 900").await;
    let (items, _) = listing(&app, &pm).await;
    assert!(items.iter().all(|i| i["title"] != "Written elsewhere"));
}

/// A filtered listing is read each time and a kept one is one product's, one page's.
#[tokio::test]
async fn a_kept_backlog_is_one_page_of_one_product() {
    let app = crate::support::spawn_app().await;
    let pm = roadmap_fixture(&app).await;
    for i in 0..5 {
        app.item(&pm, json!({"title": format!("extra {i}")})).await;
    }
    let whole: Value = app
        .get(&pm, &format!("{P}/items"))
        .await
        .json()
        .await
        .unwrap();
    let two: Value = app
        .get(&pm, &format!("{P}/items?limit=2"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(whole["items"].as_array().unwrap().len(), 7);
    assert_eq!(two["items"].as_array().unwrap().len(), 2);
    let cursor = two["next_cursor"].as_str().unwrap();
    let next: Value = app
        .get(&pm, &format!("{P}/items?limit=2&cursor={cursor}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(next["items"][0]["title"], whole["items"][2]["title"]);
    let filtered: Value = app
        .get(&pm, &format!("{P}/items?q=status:done"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(filtered["items"].as_array().unwrap().len(), 1);
    let other: Value = app
        .get(&pm, "/api/v1/workspaces/acme/products/GRO/items")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(other["items"].as_array().unwrap().len(), 0);
    let html = page(&app, &pm, "/w/acme/p/GRO/backlog").await;
    assert!(html.contains("The backlog is empty"), "{html}");
}

/// Several inserts in one transaction (as an import writes labels and status events in
/// blocks) bump the product's count by the time it commits: on PostgreSQL once for the
/// transaction, queued per statement and taken from the queue at commit (migration 0039); a
/// rolled-back savepoint takes its bump with it.
#[tokio::test]
async fn inserts_in_blocks_bump_the_count_at_commit_and_leave_no_queue() {
    let app = crate::support::spawn_app().await;
    let pm = roadmap_fixture(&app).await;
    let product = id_of(&app, "SELECT id FROM products WHERE key = 'ONB'").await;
    let tour = id_of(&app, "SELECT id FROM items WHERE title = 'Tour'").await;
    let count = format!("SELECT version FROM backlog_versions WHERE product_id = {product}");
    let queued = "SELECT COUNT(*) FROM backlog_bumps";
    let before = id_of(&app, &count).await;
    let statements = [
        format!("INSERT INTO item_labels (item_id, label) VALUES ({tour}, 'block-a')"),
        format!("INSERT INTO item_labels (item_id, label) VALUES ({tour}, 'block-b')"),
        format!("INSERT INTO item_status_events (item_id, status, at) VALUES ({tour}, 'todo', '2026-01-05T00:00:00Z')"),
    ];
    throughline::with_pool!(&app.db.write, p => {
        let mut tx = p.begin().await.unwrap();
        for s in &statements {
            sqlx::query(s).execute(&mut *tx).await.unwrap();
        }
        tx.commit().await.unwrap();
    });
    let after = id_of(&app, &count).await;
    if app.db.is_sqlite() {
        assert!(after > before, "{before} → {after}");
    } else {
        assert_eq!(after, before + 1, "one bump for the transaction");
    }
    assert_eq!(id_of(&app, queued).await, 0, "nothing left queued");
    let (items, _) = listing(&app, &pm).await;
    assert_eq!(
        titled(&items, "Tour")["labels"],
        json!(["block-a", "block-b"])
    );

    throughline::with_pool!(&app.db.write, p => {
        let mut tx = p.begin().await.unwrap();
        sqlx::query("SAVEPOINT undone").execute(&mut *tx).await.unwrap();
        sqlx::query(&format!("INSERT INTO item_labels (item_id, label) VALUES ({tour}, 'block-c')"))
            .execute(&mut *tx).await.unwrap();
        sqlx::query("ROLLBACK TO SAVEPOINT undone").execute(&mut *tx).await.unwrap();
        tx.commit().await.unwrap();
    });
    assert_eq!(id_of(&app, &count).await, after, "nothing changed");
    assert_eq!(id_of(&app, queued).await, 0);
}
