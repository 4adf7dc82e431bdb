//! The shapes of the main API answers, held as snapshots (`snapshots/`): a field renamed,
//! dropped or added shows up as a diff to review, not as a silent break of every client.
//! Ids, times and versions that differ from run to run are redacted; everything else is exact.
//! After an intended change: `INSTA_UPDATE=always cargo test --test all shapes`, then review
//! the diff of the `.snap` files.

use insta::assert_json_snapshot;
use reqwest::Method;
use serde_json::{json, Value};

use crate::support::scrum::{json_ok, sprint, team};
use crate::support::spawn_app;

const ITEMS: &str = "/api/v1/workspaces/acme/products/ONB/items";

fn a_story() -> Value {
    json!({
        "kind": "story", "title": "Invite teammates by e-mail", "persona": "workspace admin",
        "goal": "invite my team by e-mail", "benefit": "we start together",
        "points": 3, "labels": ["growth", "email"],
        "criteria": ["Given an admin When she invites an address Then it gets a link"]
    })
}

#[tokio::test]
async fn an_item_as_created() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let item = json_ok(app.post(&owner, ITEMS, a_story()).await, 201).await;
    assert_json_snapshot!(item, {
        ".id" => "[id]", ".rank" => "[rank]", ".created_at" => "[time]", ".updated_at" => "[time]",
    });
}

#[tokio::test]
async fn a_field_at_fault_is_named() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let mut bad = a_story();
    bad["points"] = json!(1000);
    let r = app.post(&owner, ITEMS, bad).await;
    assert_eq!(
        r.headers()["content-type"].to_str().unwrap(),
        "application/problem+json"
    );
    assert_json_snapshot!(json_ok(r, 422).await);
}

#[tokio::test]
async fn a_stale_update_answers_the_item_as_it_is_now() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let item = json_ok(app.post(&owner, ITEMS, a_story()).await, 201).await;
    let path = format!(
        "/api/v1/workspaces/acme/items/{}",
        item["key"].as_str().unwrap()
    );
    let r = app.patch(&owner, &path, 1, json!({"points": 5})).await;
    assert_eq!(r.status(), 200);
    let r = app.patch(&owner, &path, 1, json!({"points": 8})).await;
    assert_eq!(r.headers()["etag"].to_str().unwrap(), "\"2\"");
    assert_json_snapshot!(json_ok(r, 412).await, {
        ".current.id" => "[id]", ".current.rank" => "[rank]",
        ".current.created_at" => "[time]", ".current.updated_at" => "[time]",
    });
}

#[tokio::test]
async fn a_sprint_and_its_planning() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let sm = app.member(&owner, "Sam", &["sm"]).await;
    let team = team(&app, &owner, &sm).await;
    let s = sprint(&app, &owner, team, "Sprint 1", "2026-03-02", "2026-03-15").await;
    assert_json_snapshot!("sprint", s, { ".id" => "[id]", ".team_id" => "[id]" });
    let p = format!(
        "/api/v1/workspaces/acme/products/ONB/sprints/{}/planning",
        s["id"]
    );
    let planning = json_ok(app.req(&owner, Method::GET, &p).send().await.unwrap(), 200).await;
    assert_json_snapshot!("planning", planning, {
        ".sprint.id" => "[id]", ".sprint.team_id" => "[id]", ".availability[].user_id" => "[id]",
    });
}

const P: &str = "/api/v1/workspaces/acme/products/ONB";
/// A quarter far ahead, so that nothing in the answers depends on today's date.
const LATER: &str = "2099-Q2";

async fn made(
    app: &crate::support::TestApp,
    who: &crate::support::Caller,
    path: &str,
    body: Value,
) -> Value {
    json_ok(app.post(who, &format!("{P}{path}"), body).await, 201).await
}

#[tokio::test]
async fn the_strategy_line() {
    let app = spawn_app().await;
    let pm = app.workspace().await;
    let o = made(
        &app,
        &pm,
        "/objectives",
        json!({"quarter": LATER, "title": "Teams start in a day"}),
    )
    .await;
    let m = made(
        &app,
        &pm,
        "/metrics",
        json!({"objective_id": o["id"], "name": "Activated in 24 h",
        "unit": "%", "direction": "up", "baseline": 20, "target": 40}),
    )
    .await;
    let p = made(
        &app,
        &pm,
        "/priorities",
        json!({"quarter": LATER, "title": "Activation", "objectives": [o["id"]]}),
    )
    .await;
    let i = made(
        &app,
        &pm,
        "/initiatives",
        json!({"title": "Guided setup", "status": "planned",
        "scores": {"reach": 2000, "impact": 2, "confidence": 80, "effort": 4, "business_value": 8,
                   "time_criticality": 5, "risk_reduction": 3, "job_size": 5},
        "priorities": [p["id"]], "metrics": [m["id"]]}),
    )
    .await;
    app.story_in(&pm, "Invite teammates by e-mail", &i["id"])
        .await;
    let initiative = json_ok(
        app.get(&pm, &format!("{P}/initiatives/{}", i["id"])).await,
        200,
    )
    .await;
    assert_json_snapshot!("initiative", initiative, {
        ".id" => "[id]", ".created_at" => "[time]", ".updated_at" => "[time]",
        ".priorities[].id" => "[id]", ".metrics[]" => "[id]", ".metrics[].id" => "[id]",
    });
    let priorities = json_ok(
        app.get(&pm, &format!("{P}/priorities?quarter={LATER}"))
            .await,
        200,
    )
    .await;
    assert_json_snapshot!("priorities", priorities, {
        "[].id" => "[id]", "[].objectives[]" => "[id]", "[].objectives[].id" => "[id]",
        "[].initiatives[]" => "[id]", "[].created_at" => "[time]", "[].updated_at" => "[time]",
    });
    let objectives = json_ok(
        app.get(&pm, &format!("{P}/objectives?quarter={LATER}"))
            .await,
        200,
    )
    .await;
    assert_json_snapshot!("objectives", objectives, {
        "[].id" => "[id]", "[].metrics[].id" => "[id]", "[].metrics[].objective_id" => "[id]",
        "[].created_at" => "[time]", "[].updated_at" => "[time]",
        "[].metrics[].created_at" => "[time]", "[].metrics[].updated_at" => "[time]",
    });
}
