//! The roadmap page a server keeps rendered (`throughline::roadmap::kept`) is never served
//! after a change to what it shows: each kind of change, made through the API or straight in
//! the database (as another server process or an import would), shows on the next request.

use crate::roadmap::{page, roadmap_fixture};
use crate::support::{spawn_app, Caller, TestApp};

use serde_json::{json, Value};

/// The timeline's row of the initiative titled `title`, or `None` when it is not shown.
fn row<'h>(html: &'h str, title: &str) -> Option<&'h str> {
    let link = format!(">{title}</a></th>");
    let at = html.find(&link)?;
    let start = html[..at].rfind("<tr data-id=")?;
    let end = at + html[at..].find("</tr>")?;
    Some(&html[start..end])
}

/// Runs `statement` straight in the database, as another process would; it must change a row.
pub(crate) async fn sql(app: &TestApp, statement: &str) {
    let done = throughline::with_pool!(&app.db.write, p => sqlx::query(statement).execute(p).await.map(|r| r.rows_affected()))
        .expect("a statement the schema takes");
    assert!(done > 0, "{statement} changed nothing");
}

pub(crate) async fn id_of(app: &TestApp, query: &str) -> i64 {
    throughline::with_pool!(&app.db.read, p => sqlx::query_scalar(query).fetch_one(p).await)
        .expect("one row")
}

/// The page twice (the second answer may come from what the server kept); both the same.
async fn roadmap(app: &TestApp, who: &Caller) -> String {
    let first = page(app, who, "/w/acme/roadmap").await;
    let again = page(app, who, "/w/acme/roadmap").await;
    assert_eq!(
        first.split("<main").nth(1),
        again.split("<main").nth(1),
        "two requests with no change between them"
    );
    again
}

async fn patch_initiative(app: &TestApp, pm: &Caller, id: i64, body: Value) {
    let path = format!("/api/v1/workspaces/acme/products/ONB/initiatives/{id}");
    let v: Value = app.get(pm, &path).await.json().await.unwrap();
    let r = app
        .patch(pm, &path, v["version"].as_i64().unwrap(), body.clone())
        .await;
    assert_eq!(r.status(), 200, "{body}: {}", r.text().await.unwrap());
}

#[tokio::test]
async fn a_kept_roadmap_follows_every_change_it_shows() {
    let app = spawn_app().await;
    let pm = roadmap_fixture(&app).await;
    let setup = id_of(
        &app,
        "SELECT id FROM initiatives WHERE title = 'Guided setup'",
    )
    .await;
    let html = roadmap(&app, &pm).await;
    let r = row(&html, "Guided setup").expect("on the roadmap");
    assert!(r.contains("value=\"37\""), "3 of 8 points done: {r}");

    // The initiative's own fields, through the API.
    patch_initiative(&app, &pm, setup, json!({"title": "Guided onboarding"})).await;
    let html = roadmap(&app, &pm).await;
    assert!(row(&html, "Guided setup").is_none(), "{html}");
    assert!(row(&html, "Guided onboarding").is_some(), "{html}");
    patch_initiative(&app, &pm, setup, json!({"status": "in_progress"})).await;
    let html = roadmap(&app, &pm).await;
    let r = row(&html, "Guided onboarding").unwrap();
    assert!(r.contains("tl-in_progress"), "{r}");

    // Its roll-up, when an item under it is done.
    let tour = id_of(&app, "SELECT number FROM items WHERE title = 'Tour'").await;
    let key = format!("ONB-{tour}");
    let v = app.show(&pm, &key).await["version"].as_i64().unwrap();
    let r = app
        .patch(
            &pm,
            &format!("/api/v1/workspaces/acme/items/{key}"),
            v,
            json!({"status": "done"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let html = roadmap(&app, &pm).await;
    let r = row(&html, "Guided onboarding").unwrap();
    assert!(r.contains("value=\"100\""), "8 of 8 points done: {r}");

    // A priority's title, straight in the database.
    sql(
        &app,
        "UPDATE priorities SET title = 'Value in a day' WHERE title = 'First value'",
    )
    .await;
    let html = roadmap(&app, &pm).await;
    assert!(
        row(&html, "Guided onboarding")
            .unwrap()
            .contains("Value in a day"),
        "{html}"
    );

    // Its link to the priority, gone.
    sql(
        &app,
        &format!("DELETE FROM priority_initiatives WHERE initiative_id = {setup}"),
    )
    .await;
    let html = roadmap(&app, &pm).await;
    let r = row(&html, "Guided onboarding").unwrap();
    assert!(r.contains("not on a quarter"), "{r}");

    // The product's name (the lane), and a new initiative, each written elsewhere.
    sql(
        &app,
        "UPDATE products SET name = 'First steps' WHERE key = 'ONB'",
    )
    .await;
    let html = roadmap(&app, &pm).await;
    assert!(html.contains(">First steps</th>"), "{html}");
    sql(&app, "INSERT INTO initiatives (product_id, title, status, version, created_at, updated_at) SELECT id, 'Written elsewhere', 'idea', 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z' FROM products WHERE key = 'ONB'").await;
    let html = roadmap(&app, &pm).await;
    assert!(row(&html, "Written elsewhere").is_some(), "{html}");

    // Dropped: off the roadmap.
    patch_initiative(&app, &pm, setup, json!({"status": "dropped"})).await;
    let html = roadmap(&app, &pm).await;
    assert!(row(&html, "Guided onboarding").is_none(), "{html}");
}

#[tokio::test]
async fn a_kept_roadmap_is_one_view_of_one_workspace() {
    let app = spawn_app().await;
    let pm = roadmap_fixture(&app).await;
    let timeline = page(&app, &pm, "/w/acme/roadmap").await;
    let horizons = page(&app, &pm, "/w/acme/roadmap?view=horizons").await;
    assert!(timeline.contains("id=\"timeline\"") && !horizons.contains("id=\"timeline\""));
    assert!(horizons.contains("class=\"horizons\""), "{horizons}");
    let growth = page(&app, &pm, "/w/acme/roadmap?product=GRO").await;
    assert!(growth.contains("Referral links") && !growth.contains("Guided setup"));
    // Another workspace of another owner: its own roadmap, not this one's.
    let other = app.user("Olga").await;
    let r = app
        .post(
            &other,
            "/api/v1/workspaces",
            json!({"slug": "beta", "name": "Beta"}),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let theirs = page(&app, &other, "/w/beta/roadmap").await;
    assert!(!theirs.contains("Guided setup"), "{theirs}");
    assert_eq!(
        app.get(&other, "/w/acme/roadmap").await.status(),
        404,
        "not a member of acme"
    );
}
