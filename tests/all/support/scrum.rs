//! Builders for the Scrum cycle: ready stories, a team, sprints, versioned posts.
#![allow(dead_code)]

use reqwest::Method;
use serde_json::{json, Value};

use super::{Caller, TestApp};

pub const P: &str = "/api/v1/workspaces/acme/products/ONB";

pub async fn ready_story(
    app: &TestApp,
    who: &Caller,
    title: &str,
    points: i64,
    criteria: &[&str],
) -> String {
    let v = app
        .item(
            who,
            json!({"title": title, "persona": "new user", "goal": format!("to {title}"),
                   "benefit": "I get started", "criteria": criteria, "points": points}),
        )
        .await;
    assert!(v["ready"].as_bool().unwrap(), "{v}");
    v["key"].as_str().unwrap().to_string()
}

pub async fn json_ok(r: reqwest::Response, status: u16) -> Value {
    let code = r.status().as_u16();
    let body = r.text().await.unwrap();
    assert_eq!(code, status, "{body}");
    serde_json::from_str(&body).unwrap_or(Value::Null)
}

/// A team with the owner (1 pt/day, 100 %) and an SM, working on ONB.
pub async fn team(app: &TestApp, owner: &Caller, sm: &Caller) -> i64 {
    let t = json_ok(
        app.post(sm, &format!("{P}/teams"), json!({"name": "Core"}))
            .await,
        201,
    )
    .await;
    let id = t["id"].as_i64().unwrap();
    let put = |email: &str, ppd: f64, focus: i64| {
        app.req(sm, Method::PUT, &format!("{P}/teams/{id}/members"))
            .json(&json!({"email": email, "points_per_day": ppd, "focus_pct": focus}))
            .send()
    };
    json_ok(put(&owner.email, 1.0, 100).await.unwrap(), 200).await;
    json_ok(put(&sm.email, 0.5, 50).await.unwrap(), 200).await;
    id
}

pub async fn sprint(
    app: &TestApp,
    who: &Caller,
    team: i64,
    name: &str,
    start: &str,
    end: &str,
) -> Value {
    json_ok(
        app.post(who, &format!("{P}/sprints"),
            json!({"team_id": team, "name": name, "goal": "New users get started alone", "start_date": start, "end_date": end}))
            .await,
        201,
    )
    .await
}

pub async fn post_v(
    app: &TestApp,
    who: &Caller,
    path: &str,
    version: i64,
    body: Value,
) -> reqwest::Response {
    app.req(who, Method::POST, path)
        .header("If-Match", format!("\"{version}\""))
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// The sprint's current version, for If-Match.
pub async fn version(app: &TestApp, who: &Caller, id: i64) -> i64 {
    json_ok(app.get(who, &format!("{P}/sprints/{id}")).await, 200).await["version"]
        .as_i64()
        .unwrap()
}

/// Commits `keys`, starts, accepts `accept` (all criteria pass), records the goal and closes.
/// `who` must hold po and sm.
pub async fn run_sprint(
    app: &TestApp,
    who: &Caller,
    id: i64,
    keys: &[String],
    accept: &[String],
) -> Value {
    commit_and_start(app, who, id, keys).await;
    for k in accept {
        // The team finishes the work before the PO accepts it.
        json_ok(
            app.post(
                who,
                &format!("{P}/sprints/{id}/board/move"),
                json!({"item": k, "status": "in_review"}),
            )
            .await,
            200,
        )
        .await;
        let item = app.show(who, k).await;
        let verdicts: Vec<Value> = item["criteria"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| json!({"position": c["position"], "pass": true}))
            .collect();
        let r = app
            .req(
                who,
                Method::PUT,
                &format!("{P}/sprints/{id}/review/items/{k}"),
            )
            .json(&json!({"verdicts": verdicts}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    close(app, who, id).await
}

/// Commits `keys` to sprint `id` and starts it; `who` must hold po (and sm or po to start).
pub async fn commit_and_start(app: &TestApp, who: &Caller, id: i64, keys: &[String]) {
    json_ok(
        app.post(
            who,
            &format!("{P}/sprints/{id}/commit"),
            json!({"items": keys}),
        )
        .await,
        200,
    )
    .await;
    let v = version(app, who, id).await;
    json_ok(
        post_v(app, who, &format!("{P}/sprints/{id}/start"), v, json!({})).await,
        200,
    )
    .await;
}

/// Records the goal as met and closes sprint `id`; the closed sprint.
pub async fn close(app: &TestApp, who: &Caller, id: i64) -> Value {
    json_ok(
        app.post(
            who,
            &format!("{P}/sprints/{id}/review/goal"),
            json!({"goal_met": true}),
        )
        .await,
        200,
    )
    .await;
    let v = version(app, who, id).await;
    json_ok(
        post_v(app, who, &format!("{P}/sprints/{id}/close"), v, json!({})).await,
        200,
    )
    .await
}
