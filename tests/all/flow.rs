//! Flow without sprints (E11): cadence and WIP limits, the board's moves under warn and block
//! limits, the PO's recorded override, and the flow report against figures computed by hand.

use crate::support;

use chrono::{DateTime, Datelike, Duration, Utc};
use reqwest::{Method, Response};
use serde_json::{json, Value};
use support::scrum::{json_ok, P};
use support::{spawn_app, Caller, TestApp};

pub async fn put_flow(app: &TestApp, who: &Caller, body: Value) -> Response {
    let r = app.get(who, &format!("{P}/flow")).await;
    let etag = r.headers()["etag"].to_str().unwrap().to_string();
    app.req(who, Method::PUT, &format!("{P}/flow"))
        .header("If-Match", etag)
        .json(&body)
        .send()
        .await
        .unwrap()
}

pub async fn move_card(app: &TestApp, who: &Caller, body: Value) -> Response {
    app.post(who, &format!("{P}/flow/board/move"), body).await
}

/// ONB in flow mode with a blocking limit of one card In progress; the owner is PM, PO and dev.
pub async fn flow_product(app: &TestApp, owner: &Caller, mode: &str) {
    let body = json!({"cadence": "flow", "wip_mode": mode, "wip_in_progress": 1});
    json_ok(put_flow(app, owner, body).await, 200).await;
}

#[tokio::test]
async fn only_the_po_or_the_sm_sets_the_cadence_and_bad_input_names_the_field() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let dev = app.member(&owner, "Dee", &["dev"]).await;
    let sm = app.member(&owner, "Sam", &["sm"]).await;
    let r = put_flow(&app, &dev, json!({"cadence": "flow"})).await;
    assert_eq!(r.status(), 403);
    for (body, field) in [
        (json!({"cadence": "kanban"}), "cadence"),
        (json!({"cadence": "flow", "wip_mode": "stop"}), "wip_mode"),
        (
            json!({"cadence": "flow", "wip_in_progress": 0}),
            "wip_in_progress",
        ),
        (
            json!({"cadence": "flow", "wip_in_review": 1000}),
            "wip_in_review",
        ),
    ] {
        assert_eq!(
            json_ok(put_flow(&app, &sm, body).await, 422).await["field"],
            field
        );
    }
    let unchanged = json_ok(app.get(&sm, &format!("{P}/flow")).await, 200).await;
    assert_eq!(
        (unchanged["cadence"].as_str(), unchanged["version"].as_i64()),
        (Some("sprints"), Some(1))
    );
    let s = json_ok(
        put_flow(
            &app,
            &sm,
            json!({"cadence": "flow", "wip_mode": "block", "wip_in_review": 2}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(
        (
            s["cadence"].as_str(),
            s["wip_in_review"].as_i64(),
            s["version"].as_i64()
        ),
        (Some("flow"), Some(2), Some(2))
    );
    let stale = app
        .req(&sm, Method::PUT, &format!("{P}/flow"))
        .header("If-Match", "\"1\"")
        .json(&json!({"cadence": "sprints"}))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 412);
}

#[tokio::test]
async fn a_blocking_limit_names_itself_and_its_cards_and_the_po_overrides_with_a_reason() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let dev = app.member(&owner, "Dee", &["dev"]).await;
    flow_product(&app, &owner, "block").await;
    let a = app.story(&owner, "Sign up").await["key"]
        .as_str()
        .unwrap()
        .to_string();
    let b = app.story(&owner, "Invite").await["key"]
        .as_str()
        .unwrap()
        .to_string();
    let ok = json_ok(
        move_card(&app, &dev, json!({"item": a, "status": "in_progress"})).await,
        200,
    )
    .await;
    assert_eq!(ok["warnings"], json!([]));
    let refused = json_ok(
        move_card(&app, &dev, json!({"item": b, "status": "in_progress"})).await,
        409,
    )
    .await;
    let why = refused["detail"].as_str().unwrap();
    assert!(
        why.contains("In progress is at its WIP limit of 1, held by ONB-1"),
        "{why}"
    );
    assert_eq!(
        app.show(&owner, &b).await["status"],
        "todo",
        "a refused move changes nothing"
    );
    let body =
        json!({"item": b, "status": "in_progress", "override_reason": "hotfix for a customer"});
    assert_eq!(
        move_card(&app, &dev, body.clone()).await.status(),
        403,
        "only the PO overrides"
    );
    let bell = json!({"item": b, "status": "in_progress", "override_reason": "bad\u{7}reason"});
    assert_eq!(
        json_ok(move_card(&app, &owner, bell).await, 422).await["field"],
        "override_reason"
    );
    let over = json_ok(move_card(&app, &owner, body).await, 200).await;
    assert_eq!(over["overridden"], "hotfix for a customer");
    assert_eq!(app.show(&owner, &b).await["status"], "in_progress");
    let log = json_ok(app.get(&owner, "/api/v1/workspaces/acme/audit").await, 200).await;
    let entry = log
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "flow.wip_override")
        .expect("the override is in the audit log");
    assert_eq!(entry["reason"], "hotfix for a customer");
    assert_eq!(entry["before"]["held_by"], json!(["ONB-1"]));
}

#[tokio::test]
async fn a_warning_limit_lets_the_move_through_and_a_sprint_product_moves_on_its_sprint_board() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let a = app.story(&owner, "Sign up").await["key"]
        .as_str()
        .unwrap()
        .to_string();
    let b = app.story(&owner, "Invite").await["key"]
        .as_str()
        .unwrap()
        .to_string();
    let r = json_ok(
        move_card(&app, &owner, json!({"item": a, "status": "in_progress"})).await,
        409,
    )
    .await;
    assert!(
        r["detail"].as_str().unwrap().contains("runs in sprints"),
        "{r}"
    );
    flow_product(&app, &owner, "warn").await;
    json_ok(
        move_card(&app, &owner, json!({"item": a, "status": "in_progress"})).await,
        200,
    )
    .await;
    let w = json_ok(
        move_card(&app, &owner, json!({"item": b, "status": "in_progress"})).await,
        200,
    )
    .await;
    assert!(
        w["warnings"][0]
            .as_str()
            .unwrap()
            .contains("over its WIP limit of 1"),
        "{w}"
    );
    let board = json_ok(app.get(&owner, &format!("{P}/flow/board")).await, 200).await;
    let ip = &board["columns"][1];
    assert_eq!(
        (ip["count"].as_i64(), ip["over_limit"].as_bool()),
        (Some(2), Some(true))
    );
    let bad = json_ok(
        move_card(&app, &owner, json!({"item": a, "status": "shipped"})).await,
        422,
    )
    .await;
    assert_eq!(bad["field"], "status");
}

/// Replaces an item's status history with `events` (status, when).
pub async fn history(app: &TestApp, key: &str, events: &[(&str, DateTime<Utc>)]) {
    let number: i64 = key.rsplit('-').next().unwrap().parse().unwrap();
    let id: i64 = throughline::with_pool!(&app.db.read, p => sqlx::query_scalar(
        "SELECT i.id FROM items i JOIN products p ON p.id = i.product_id WHERE p.key = 'ONB' AND i.number = $1")
        .bind(number).fetch_one(p).await).unwrap();
    throughline::with_pool!(&app.db.write, p => sqlx::query("DELETE FROM item_status_events WHERE item_id = $1")
        .bind(id).execute(p).await.map(|r| r.rows_affected())).unwrap();
    for (status, at) in events {
        throughline::with_pool!(&app.db.write, p => sqlx::query("INSERT INTO item_status_events (item_id, status, at) VALUES ($1, $2, $3)")
            .bind(id).bind(*status).bind(*at).execute(p).await.map(|r| r.rows_affected())).unwrap();
    }
    let last = events.last().unwrap().0;
    throughline::with_pool!(&app.db.write, p => sqlx::query("UPDATE items SET status = $1 WHERE id = $2")
        .bind(last).bind(id).execute(p).await.map(|r| r.rows_affected())).unwrap();
}

/// The Monday 00:00 UTC of this week.
pub fn this_monday() -> DateTime<Utc> {
    let today = Utc::now().date_naive();
    let monday = today - Duration::days(today.weekday().num_days_from_monday() as i64);
    monday.and_hms_opt(0, 0, 0).unwrap().and_utc()
}

#[tokio::test]
async fn the_flow_report_by_hand_and_cards_turn_amber_past_the_85th_percentile() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    flow_product(&app, &owner, "warn").await;
    let m = this_monday();
    let h = Duration::hours;
    let mut keys = Vec::new();
    for t in ["A", "B", "C", "D"] {
        keys.push(
            app.story(&owner, t).await["key"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let w2 = m - Duration::weeks(2);
    let w1 = m - Duration::weeks(1);
    // A: 2 days, finished two weeks ago; B: 4 days, last week; C started 6 days before this
    // Monday and still in progress; D never started.
    history(
        &app,
        &keys[0],
        &[
            ("todo", w2),
            ("in_progress", w2 + h(33)),
            ("done", w2 + h(81)),
        ],
    )
    .await;
    history(
        &app,
        &keys[1],
        &[
            ("todo", w2),
            ("in_progress", w1 + h(9)),
            ("done", w1 + h(105)),
        ],
    )
    .await;
    history(&app, &keys[2], &[("todo", w2), ("in_progress", m - h(144))]).await;
    history(&app, &keys[3], &[("todo", w2)]).await;
    let r = json_ok(app.get(&owner, &format!("{P}/flow/report")).await, 200).await;
    let weeks: Vec<(String, i64)> = r["throughput"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["week"].as_str().unwrap().to_string(),
                w["finished"].as_i64().unwrap(),
            )
        })
        .collect();
    let day = |t: DateTime<Utc>| t.date_naive().to_string();
    assert_eq!(weeks, vec![(day(w2), 1), (day(w1), 1)]);
    assert_eq!(r["throughput_mean"], 1.0);
    let p = &r["cycle_percentiles"];
    assert_eq!(
        (p["p50"].as_f64(), p["p85"].as_f64(), p["p95"].as_f64()),
        (Some(2.0), Some(4.0), Some(4.0))
    );
    assert_eq!(r["aging"].as_array().unwrap().len(), 1);
    assert_eq!(r["aging"][0]["key"], keys[2]);
    assert_eq!(r["aging"][0]["aging"], true);
    let last = r["cumulative_flow"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        (
            last["todo"].as_i64(),
            last["in_progress"].as_i64(),
            last["done"].as_i64()
        ),
        (Some(1), Some(1), Some(2))
    );
    let board = json_ok(app.get(&owner, &format!("{P}/flow/board")).await, 200).await;
    assert_eq!(board["cycle_p85_days"], 4.0);
    let card = &board["columns"][1]["cards"][0];
    assert_eq!(
        (card["key"].as_str(), card["aging"].as_bool()),
        (Some(keys[2].as_str()), Some(true))
    );
    for chart in [
        "throughput.svg",
        "cycle-scatter.svg",
        "aging.svg",
        "cfd.svg",
    ] {
        let svg = app.get(&owner, &format!("{P}/flow/report/{chart}")).await;
        assert_eq!(svg.status(), 200);
        assert!(svg.text().await.unwrap().starts_with("<svg"));
    }
}

#[tokio::test]
async fn a_blocking_limit_holds_for_a_status_change_through_the_item_api_too() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    flow_product(&app, &owner, "block").await;
    for t in ["Sign up", "Invite"] {
        app.story(&owner, t).await;
    }
    json_ok(
        move_card(
            &app,
            &owner,
            json!({"item": "ONB-1", "status": "in_progress"}),
        )
        .await,
        200,
    )
    .await;
    let v = app.show(&owner, "ONB-2").await["version"].as_i64().unwrap();
    let r = app
        .patch(
            &owner,
            "/api/v1/workspaces/acme/items/ONB-2",
            v,
            json!({"status": "in_progress"}),
        )
        .await;
    let body = json_ok(r, 409).await;
    assert!(
        body["detail"].as_str().unwrap().contains("held by ONB-1"),
        "{body}"
    );
    assert_eq!(app.show(&owner, "ONB-2").await["status"], "todo");
    // Done is never limited; nor is a sprint product.
    let r = app
        .patch(
            &owner,
            "/api/v1/workspaces/acme/items/ONB-2",
            v,
            json!({"status": "done"}),
        )
        .await;
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn a_warning_limit_lets_a_status_change_through_the_item_api_and_says_so() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    flow_product(&app, &owner, "warn").await;
    for t in ["Sign up", "Invite"] {
        app.story(&owner, t).await;
    }
    let to_progress = |key: &'static str| {
        let (app, owner) = (&app, &owner);
        async move {
            let v = app.show(owner, key).await["version"].as_i64().unwrap();
            let url = format!("/api/v1/workspaces/acme/items/{key}");
            app.patch(owner, &url, v, json!({"status": "in_progress"}))
                .await
        }
    };
    let first = json_ok(to_progress("ONB-1").await, 200).await;
    assert_eq!(
        (first["key"].as_str(), first["warnings"].clone()),
        (Some("ONB-1"), json!([]))
    );
    let r = to_progress("ONB-2").await;
    let etag = r.headers()["etag"].to_str().unwrap().to_string();
    let over = json_ok(r, 200).await;
    assert_eq!(over["status"], "in_progress", "a warning lets it through");
    assert_eq!(etag, format!("\"{}\"", over["version"]));
    assert_eq!(
        over["warnings"],
        json!(["In progress now holds 2 cards, over its WIP limit of 1 (ONB-1 were there)"])
    );
    // The board says the same of the column.
    let board = json_ok(app.get(&owner, &format!("{P}/flow/board")).await, 200).await;
    assert_eq!(board["columns"][1]["over_limit"], true);
}

#[tokio::test]
async fn a_warning_from_the_item_command_goes_to_stderr_and_from_mcp_into_its_answer() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    flow_product(&app, &owner, "warn").await;
    for t in ["Sign up", "Invite", "Export"] {
        app.story(&owner, t).await;
    }
    let cli = support::cli::Cli::for_app(&app);
    let edit = |key: &str| {
        cli.run(&[
            "item",
            "edit",
            key,
            "--status",
            "in_progress",
            "--json",
            "--as",
            &owner.email,
            "-w",
            "acme",
        ])
    };
    let quiet = edit("ONB-1");
    assert!(quiet.status.success());
    assert_eq!(String::from_utf8_lossy(&quiet.stderr), "");
    let warned = edit("ONB-2");
    assert!(warned.status.success());
    let item: Value = serde_json::from_slice(&warned.stdout).expect("--json prints the item");
    assert_eq!(item["status"], "in_progress");
    assert!(item.get("warnings").is_none(), "stdout is the item alone");
    assert_eq!(
        String::from_utf8_lossy(&warned.stderr),
        "warning: In progress now holds 2 cards, over its WIP limit of 1 (ONB-1 were there)\n"
    );
    let mcp = crate::mcp::client::Mcp::new(&app, &owner);
    let moved = mcp
        .ok(
            "set_item_status",
            json!({"key": "ONB-3", "status": "in_progress"}),
        )
        .await;
    assert_eq!(moved["item"]["status"], "in_progress");
    assert_eq!(
        moved["warnings"],
        json!(["In progress now holds 3 cards, over its WIP limit of 1 (ONB-1, ONB-2 were there)"])
    );
    let back = mcp
        .ok("set_item_status", json!({"key": "ONB-3", "status": "todo"}))
        .await;
    assert_eq!(back["warnings"], json!([]));
}
