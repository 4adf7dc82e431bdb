//! A product's Overview through the API (SQLite or PostgreSQL): the running sprint, the
//! quarter's alignment, and "Needs you" by the caller's roles.

use serde_json::Value;

use crate::support::spawn_app;

#[tokio::test]
async fn the_overview_tells_each_role_what_needs_them() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let po = app.member(&owner, "Olga", &["po"]).await;
    let pm = app.member(&owner, "Pavel", &["pm"]).await;
    let viewer = app.member(&owner, "Vera", &["stakeholder"]).await;
    let story = app.story(&owner, "Import a Trello board").await;
    let path = "/api/v1/workspaces/acme/products/ONB/overview";
    let get = |who| {
        let app = &app;
        async move {
            let r = app.get(who, path).await;
            assert_eq!(r.status(), 200);
            r.json::<Value>().await.unwrap()
        }
    };
    let o = get(&po).await;
    assert_eq!(o["product"], "ONB");
    assert_eq!(o["cadence"], "sprints");
    assert_eq!(o["sprint"], Value::Null);
    assert_eq!(o["score"], Value::Null);
    let texts = |o: &Value| -> Vec<String> {
        o["needs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["text"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        texts(&o),
        [format!(
            "1 item in the top 10 of the backlog is not ready: {}",
            story["key"].as_str().unwrap()
        )]
    );
    assert_eq!(o["needs"][0]["role"], "po");
    assert_eq!(o["needs"][0]["href"], "/w/acme/p/ONB/backlog?q=is%3Aopen");
    let o = get(&pm).await;
    assert_eq!(
        texts(&o),
        ["No quarterly priorities are set for this quarter: the team runs without strategic direction"]
    );
    assert_eq!(
        o["gap"],
        "No priorities are set for this quarter, so nothing can be aligned to them."
    );
    assert!(texts(&get(&viewer).await).is_empty());
    // Outsiders do not learn that the product exists.
    let stranger = app.user("Stranger").await;
    assert_eq!(app.get(&stranger, path).await.status(), 404);
}
