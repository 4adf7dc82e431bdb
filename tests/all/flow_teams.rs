//! A team's own cadence (issue 14: "a product (or a team) chooses its cadence"): set by the PO
//! or the SM, versioned like the product's flow settings; a flow team in a sprint product gets
//! its own board, report, forecast from its own throughput and alignment by month, and a sprint
//! team in a flow product forecasts from its own sprints' velocity.

use crate::flow::{flow_product, history, this_monday};
use crate::support;

use chrono::{Datelike, Duration};
use reqwest::{Method, Response};
use serde_json::{json, Value};
use support::scrum::{json_ok, sprint, team, P};
use support::{spawn_app, Caller, TestApp};

fn cadence_url(team: i64) -> String {
    format!("{P}/teams/{team}/cadence")
}

async fn put_cadence(app: &TestApp, who: &Caller, team: i64, etag: &str, body: Value) -> Response {
    app.req(who, Method::PUT, &cadence_url(team))
        .header("If-Match", etag)
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// Sets a team's cadence as the owner (a PO), from the version it reads first.
async fn set_cadence(app: &TestApp, owner: &Caller, team: i64, cadence: &str) -> Value {
    let r = app.get(owner, &cadence_url(team)).await;
    let etag = r.headers()["etag"].to_str().unwrap().to_string();
    json_ok(
        put_cadence(app, owner, team, &etag, json!({"cadence": cadence})).await,
        200,
    )
    .await
}

#[tokio::test]
async fn the_po_or_the_sm_sets_a_teams_cadence_versioned_and_bad_input_names_the_field() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let sm = app.member(&owner, "Sam", &["sm"]).await;
    let dev = app.member(&owner, "Dee", &["dev"]).await;
    let core = team(&app, &owner, &sm).await;
    let r = app.get(&dev, &cadence_url(core)).await;
    assert_eq!(r.headers()["etag"], "\"1\"");
    let c = json_ok(r, 200).await;
    assert_eq!(
        c,
        json!({"team_id": core, "team": "Core", "cadence": "sprints", "follows_product": true,
               "product_cadence": "sprints", "version": 1})
    );
    assert_eq!(
        put_cadence(&app, &dev, core, "\"1\"", json!({"cadence": "flow"}))
            .await
            .status(),
        403
    );
    for body in [json!({"cadence": "kanban"}), json!({"cadence": ""})] {
        let bad = json_ok(put_cadence(&app, &sm, core, "\"1\"", body).await, 422).await;
        assert_eq!(bad["field"], "cadence");
    }
    let unknown = put_cadence(
        &app,
        &sm,
        core,
        "\"1\"",
        json!({"cadence": "flow", "wip": 2}),
    )
    .await;
    assert_eq!(unknown.status(), 422);
    let missing = app
        .req(&sm, Method::PUT, &cadence_url(core))
        .json(&json!({"cadence": "flow"}))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 428);
    assert_eq!(
        json_ok(app.get(&dev, &cadence_url(core)).await, 200).await["version"],
        1,
        "refused changes change nothing"
    );
    let r = put_cadence(&app, &sm, core, "\"1\"", json!({"cadence": "Flow"})).await;
    assert_eq!(r.headers()["etag"], "\"2\"");
    let c = json_ok(r, 200).await;
    assert_eq!(
        (
            c["cadence"].as_str(),
            c["follows_product"].as_bool(),
            c["version"].as_i64()
        ),
        (Some("flow"), Some(false), Some(2))
    );
    let stale = json_ok(
        put_cadence(&app, &owner, core, "\"1\"", json!({"cadence": "sprints"})).await,
        412,
    )
    .await;
    assert_eq!(stale["current"]["cadence"], "flow");
    // Its own version: the team's other settings and the product's flow settings keep theirs.
    let t = json_ok(app.get(&dev, &format!("{P}/teams/{core}")).await, 200).await;
    let flow = json_ok(app.get(&dev, &format!("{P}/flow")).await, 200).await;
    assert_eq!(
        (t["version"].as_i64(), flow["version"].as_i64()),
        (Some(1), Some(1))
    );
    // Back to following the product.
    let c = json_ok(
        put_cadence(&app, &owner, core, "\"2\"", json!({"cadence": "product"})).await,
        200,
    )
    .await;
    assert_eq!(
        (c["cadence"].as_str(), c["follows_product"].as_bool()),
        (Some("sprints"), Some(true))
    );
    assert_eq!(app.get(&dev, &cadence_url(9999)).await.status(), 404);
    let log = json_ok(app.get(&owner, "/api/v1/workspaces/acme/audit").await, 200).await;
    let changes = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "team.cadence")
        .count();
    assert_eq!(changes, 2);
}

/// Sets a team's WIP limit of In progress (the Teams page's setting), as `who` (its SM).
async fn set_team_wip(app: &TestApp, who: &Caller, team: i64, limit: i64) {
    let etag = app.get(who, &format!("{P}/teams/{team}")).await.headers()["etag"]
        .to_str()
        .unwrap()
        .to_string();
    let r = app
        .req(who, Method::PATCH, &format!("{P}/teams/{team}"))
        .header("If-Match", etag)
        .json(&json!({"wip_in_progress": limit}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

/// Gives `key` 2 points and an assignee.
async fn assign(app: &TestApp, owner: &Caller, key: &str, who: &Caller) {
    let v = app.show(owner, key).await["version"].as_i64().unwrap();
    let url = format!("/api/v1/workspaces/acme/items/{key}");
    let body = json!({"points": 2, "assignee": who.email});
    assert_eq!(app.patch(owner, &url, v, body).await.status(), 200);
}

/// An item of `who` finished `weeks` whole weeks before this Monday (at 16:00 on the Tuesday).
async fn finished(app: &TestApp, owner: &Caller, who: &Caller, title: &str, weeks: i64) -> String {
    let key = app.story(owner, title).await["key"]
        .as_str()
        .unwrap()
        .to_string();
    assign(app, owner, &key, who).await;
    let start = this_monday() - Duration::weeks(weeks) + Duration::hours(10);
    history(
        app,
        &key,
        &[
            ("todo", start - Duration::days(2)),
            ("in_progress", start),
            ("done", start + Duration::hours(30)),
        ],
    )
    .await;
    key
}

/// A sprint product whose team Core (the owner and Sam) works in flow with a WIP limit of one
/// In progress. Over six weeks Core finished one item a week and Dee (on no team) two, each
/// worth 2 points; open work: two of Core's in progress, one of Dee's, one of Sam's to do and
/// one unassigned.
struct FlowTeam {
    app: TestApp,
    dee: Caller,
    core: i64,
    /// Core WIP 1, Core WIP 2, Dee WIP, Core next, Nobody's.
    open: Vec<String>,
    /// The day of each week's finishes, last week first.
    finish_days: Vec<chrono::NaiveDate>,
}

async fn a_flow_team_in_a_sprint_product() -> FlowTeam {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let sm = app.member(&owner, "Sam", &["sm"]).await;
    let dee = app.member(&owner, "Dee", &["dev"]).await;
    let core = team(&app, &owner, &sm).await; // the owner and Sam
    set_cadence(&app, &owner, core, "flow").await;
    // Over six weeks Core finished one item a week, Dee (on no team) two.
    let mut finish_days = Vec::new();
    for w in 1..=6 {
        finished(&app, &owner, &owner, &format!("Core {w}"), w).await;
        for n in 0..2 {
            finished(&app, &owner, &dee, &format!("Dee {w}.{n}"), w).await;
        }
        finish_days.push((this_monday() - Duration::weeks(w) + Duration::hours(40)).date_naive());
    }
    // Open work: two of Core's in progress, one of Dee's, one of Sam's to do, one unassigned.
    let mut open = Vec::new();
    for (title, who, status) in [
        ("Core WIP 1", Some(&owner), "in_progress"),
        ("Core WIP 2", Some(&sm), "in_progress"),
        ("Dee WIP", Some(&dee), "in_progress"),
        ("Core next", Some(&sm), "todo"),
        ("Nobody's", None, "todo"),
    ] {
        let key = app.story(&owner, title).await["key"]
            .as_str()
            .unwrap()
            .to_string();
        if let Some(who) = who {
            assign(&app, &owner, &key, who).await;
        }
        let at = this_monday() + Duration::hours(1);
        history(
            &app,
            &key,
            &[("todo", at), (status, at + Duration::hours(1))],
        )
        .await;
        open.push(key);
    }
    // Core's own WIP limit of one In progress (the Teams page's setting).
    set_team_wip(&app, &sm, core, 1).await;
    FlowTeam {
        app,
        dee,
        core,
        open,
        finish_days,
    }
}

impl FlowTeam {
    /// Dee's GET of `path_and_query` under ONB, answered with `status`.
    async fn get(&self, path_and_query: &str, status: u16) -> Value {
        json_ok(
            self.app
                .get(&self.dee, &format!("{P}{path_and_query}"))
                .await,
            status,
        )
        .await
    }
}

#[tokio::test]
async fn a_flow_teams_board_holds_its_own_cards_under_its_own_wip_limit() {
    let t = a_flow_team_in_a_sprint_product().await;
    let (core, open) = (t.core, &t.open);
    let board = t.get(&format!("/flow/board?team={core}"), 200).await;
    assert_eq!(
        (
            board["team"]["team"].as_str(),
            board["team"]["cadence"].as_str()
        ),
        (Some("Core"), Some("flow"))
    );
    let keys = |col: &Value| -> Vec<String> {
        col["cards"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["key"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(keys(&board["columns"][0]), vec![open[3].clone()]);
    let wip = &board["columns"][1];
    assert_eq!(keys(wip), vec![open[0].clone(), open[1].clone()]);
    assert_eq!(
        (wip["limit"].as_i64(), wip["over_limit"].as_bool()),
        (Some(1), Some(true))
    );
    assert_eq!(
        board["warnings"],
        json!(["In progress holds 2 cards, over its WIP limit of 1"])
    );
}

#[tokio::test]
async fn the_products_flow_board_holds_every_card_and_an_unknown_team_is_refused() {
    let t = a_flow_team_in_a_sprint_product().await;
    let whole = t.get("/flow/board", 200).await;
    assert_eq!(
        (
            whole["columns"][1]["count"].as_i64(),
            whole["columns"][1]["limit"].as_i64()
        ),
        (Some(3), None)
    );
    let bad = t.get("/flow/board?team=9999", 422).await;
    assert_eq!(bad["field"], "team");
}

#[tokio::test]
async fn a_flow_teams_report_counts_its_own_throughput() {
    let t = a_flow_team_in_a_sprint_product().await;
    let report = t.get(&format!("/flow/report?team={}", t.core), 200).await;
    assert_eq!(
        (report["cadence"].as_str(), report["team"].as_str()),
        (Some("flow"), Some("Core"))
    );
    assert_eq!(report["throughput_mean"], 1.0);
    let product = t.get("/flow/report", 200).await;
    assert_eq!(
        (
            product["cadence"].as_str(),
            product["throughput_mean"].as_f64()
        ),
        (Some("sprints"), Some(3.0))
    );
}

#[tokio::test]
async fn a_flow_teams_forecast_draws_on_its_own_throughput() {
    let t = a_flow_team_in_a_sprint_product().await;
    // The team's forecast draws on its own throughput; the product's on its sprints (none).
    let f = t
        .get(
            &format!("/forecast?team={}&items=is:open&seed=3", t.core),
            200,
        )
        .await;
    assert_eq!(
        (
            f["team"].as_str(),
            f["cadence"].as_str(),
            f["unit"].as_str()
        ),
        (Some("Core"), Some("flow"), Some("items"))
    );
    assert_eq!(f["history"], json!([1.0, 1.0, 1.0, 1.0, 1.0, 1.0]));
    assert_eq!(f["guess"], false);
    assert!(
        f["basis"]
            .as_str()
            .unwrap()
            .starts_with("Core: items finished per week"),
        "{f}"
    );
    // Five open items at one a week: five weeks in every future.
    let five_weeks = (chrono::Utc::now().date_naive() + Duration::days(35)).to_string();
    assert_eq!(f["done_by"]["p95"], five_weeks.as_str());
    let p = t.get("/forecast?items=is:open", 200).await;
    assert_eq!(
        (p["team"].clone(), p["cadence"].as_str(), p["unit"].as_str()),
        (Value::Null, Some("sprints"), Some("points"))
    );
}

#[tokio::test]
async fn a_flow_teams_month_is_aligned_over_its_own_items() {
    let t = a_flow_team_in_a_sprint_product().await;
    // Alignment by month over the team's items only: 2 points per item finished in the month.
    let month = t.finish_days[0];
    let in_month = t
        .finish_days
        .iter()
        .filter(|d| d.year() == month.year() && d.month() == month.month())
        .count() as f64;
    let m = month.format("%Y-%m").to_string();
    let a = t
        .get(&format!("/alignment?month={m}&team={}", t.core), 200)
        .await;
    assert_eq!(
        a["unaligned_completed"].as_f64(),
        Some(2.0 * in_month),
        "{a}"
    );
    let all = t.get(&format!("/alignment?month={m}"), 200).await;
    assert_eq!(all["unaligned_completed"].as_f64(), Some(6.0 * in_month));
}

#[tokio::test]
async fn a_flow_teams_quarter_is_scored_by_month_and_the_sprint_products_by_sprint() {
    let t = a_flow_team_in_a_sprint_product().await;
    // A flow team's quarter is scored by month; the sprint product's by its sprints.
    let month = t.finish_days[0];
    let q = format!("{}-Q{}", month.year(), month.month0() / 3 + 1);
    let a = t
        .get(&format!("/alignment?quarter={q}&team={}", t.core), 200)
        .await;
    assert_eq!(a["flow"], true);
    assert!(a["trend"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t[0].as_str().unwrap().len() == 7));
    let sprints = t.get(&format!("/alignment?quarter={q}"), 200).await;
    assert!(sprints.get("flow").is_none(), "{sprints}");
}

#[tokio::test]
async fn a_sprint_team_in_a_flow_product_forecasts_from_its_own_velocity() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let sm = app.member(&owner, "Sam", &["sm"]).await;
    let core = team(&app, &owner, &sm).await;
    flow_product(&app, &owner, "warn").await;
    let other = json_ok(
        app.post(&sm, &format!("{P}/teams"), json!({"name": "Other"}))
            .await,
        201,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    set_cadence(&app, &owner, core, "sprints").await;
    let monday = this_monday().date_naive();
    for (t, n, points) in [(core, 3, 10), (core, 2, 20), (core, 1, 30), (other, 1, 99)] {
        let start = monday - Duration::weeks(2 * n);
        let s = sprint(
            &app,
            &sm,
            t,
            &format!("S{t}.{n}"),
            &start.to_string(),
            &(start + Duration::days(13)).to_string(),
        )
        .await;
        throughline::with_pool!(&app.db.write, p => sqlx::query(
            "UPDATE sprints SET state = 'closed', completed_points = $1 WHERE id = $2")
            .bind(points * 100_i64).bind(s["id"].as_i64().unwrap()).execute(p).await.map(|r| r.rows_affected()))
        .unwrap();
    }
    app.story(&owner, "Open").await;
    let f = json_ok(
        app.get(&owner, &format!("{P}/forecast?team={core}")).await,
        200,
    )
    .await;
    assert_eq!(
        (
            f["cadence"].as_str(),
            f["unit"].as_str(),
            f["period_days"].as_i64()
        ),
        (Some("sprints"), Some("points"), Some(14))
    );
    assert_eq!(f["history"], json!([10.0, 20.0, 30.0]));
    assert_eq!(f["guess"], false);
    let product = json_ok(app.get(&owner, &format!("{P}/forecast")).await, 200).await;
    assert_eq!(product["cadence"], "flow");
}

fn refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

#[tokio::test]
async fn a_teams_cadence_from_the_command_line_and_the_teams_page() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let sm = app.member(&owner, "Sam", &["sm"]).await;
    let dev = app.member(&owner, "Dee", &["dev"]).await;
    let core = team(&app, &owner, &sm).await;
    let cli = support::cli::Cli::for_app(&app);
    let on = |email: &str, extra: &[&str]| -> Vec<String> {
        let mut a: Vec<String> = ["flow", "settings", "--team", "Core"]
            .iter()
            .chain(extra)
            .map(|s| s.to_string())
            .collect();
        a.extend(["--as", email, "-w", "acme", "-p", "ONB"].map(String::from));
        a
    };
    let shown = cli.ok(&refs(&on(&dev.email, &[])));
    assert_eq!(shown, "Core on ONB: cadence sprints (the product's)\n");
    let why = cli.fails(&refs(&on(&sm.email, &["--cadence", "kanban"])));
    assert!(
        why.contains("--cadence: sprints, flow, or product"),
        "{why}"
    );
    let why = cli.fails(&refs(&on(&dev.email, &["--cadence", "flow"])));
    assert!(why.contains("may"), "{why}");
    let set = cli.json(&refs(&on(&sm.email, &["--cadence", "flow", "--json"])));
    assert_eq!(
        (set["cadence"].as_str(), set["version"].as_i64()),
        (Some("flow"), Some(2))
    );

    let (client, csrf) = support::session::sign_in(&app, &sm.email).await;
    let html = support::session::page_text(&client, &app, "/w/acme/p/ONB/teams").await;
    assert!(
        html.contains(&format!(
            r#"<p class="hint" id="cadence-{core}">Cadence: flow."#
        )),
        "{html}"
    );
    assert!(
        html.contains(&format!(r#"href="/w/acme/p/ONB/flow?team={core}""#)),
        "{html}"
    );
    assert!(
        html.contains(r#"<option value="flow" selected>Flow</option>"#),
        "{html}"
    );
    let post = |cadence: &str, version: &str| {
        client
            .post(app.url(&format!("/w/acme/p/ONB/teams/{core}/cadence")))
            .form(&[
                ("csrf", csrf.as_str()),
                ("version", version),
                ("cadence", cadence),
            ])
            .send()
    };
    let r = post("kanban", "2").await.unwrap();
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(to.starts_with("/w/acme/p/ONB/teams?error="), "{to}");
    let r = post("product", "1").await.unwrap();
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(
        to.starts_with("/w/acme/p/ONB/teams?error="),
        "a stale form is refused: {to}"
    );
    assert_eq!(
        json_ok(app.get(&dev, &cadence_url(core)).await, 200).await["cadence"],
        "flow"
    );
    let r = post("product", "2").await.unwrap();
    assert_eq!(r.status(), 303);
    let c = json_ok(app.get(&dev, &cadence_url(core)).await, 200).await;
    assert_eq!(
        (c["cadence"].as_str(), c["follows_product"].as_bool()),
        (Some("sprints"), Some(true))
    );
}

/// A flow team in a sprint product moves its cards on its own board, under its own WIP limits
/// counted among its members' cards (the product's WIP mode); a sprint team and the product
/// itself are told to use the sprint board.
#[tokio::test]
async fn a_flow_team_moves_its_cards_on_its_board_under_its_own_limits() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let sm = app.member(&owner, "Sam", &["sm"]).await;
    let dee = app.member(&owner, "Dee", &["dev"]).await;
    let core = team(&app, &owner, &sm).await; // the owner and Sam
    set_cadence(&app, &owner, core, "flow").await;
    // The product stays in sprints; its WIP mode (block) is the team board's too.
    let r = app.get(&owner, &format!("{P}/flow")).await;
    let etag = r.headers()["etag"].to_str().unwrap().to_string();
    let r = app
        .req(&owner, Method::PUT, &format!("{P}/flow"))
        .header("If-Match", etag)
        .json(&json!({"cadence": "sprints", "wip_mode": "block"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    set_team_wip(&app, &sm, core, 1).await;
    let mut keys = Vec::new();
    for (title, who) in [("Core A", &owner), ("Core B", &sm), ("Dee's", &dee)] {
        let key = app.story(&owner, title).await["key"]
            .as_str()
            .unwrap()
            .to_string();
        assign(&app, &owner, &key, who).await;
        keys.push(key);
    }
    let mv = |key: &str, status: &str, team: Option<i64>| {
        let body = json!({"item": key, "status": status, "team": team});
        let app = &app;
        let owner = &owner;
        async move { app.post(owner, &format!("{P}/flow/board/move"), body).await }
    };
    // Dee's card in progress does not count against Core's limit.
    assert_eq!(
        mv(&keys[2], "in_progress", None).await.status(),
        409,
        "the product runs in sprints"
    );
    let r = app
        .patch(
            &owner,
            &format!("/api/v1/workspaces/acme/items/{}", keys[2]),
            app.show(&owner, &keys[2]).await["version"]
                .as_i64()
                .unwrap(),
            json!({"status": "in_progress"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let moved = json_ok(mv(&keys[0], "in_progress", Some(core)).await, 200).await;
    assert_eq!(moved["warnings"], json!([]));
    // Core's second card is held at its limit of one, by Core's card alone.
    let refused = json_ok(mv(&keys[1], "in_progress", Some(core)).await, 409).await;
    let why = refused["detail"].as_str().unwrap();
    assert!(
        why.contains(&format!("held by {}", keys[0])) && !why.contains(&keys[2]),
        "{why}"
    );
    assert_eq!(app.show(&owner, &keys[1]).await["status"], "todo");
    // A sprint team is sent to the sprint board.
    set_cadence(&app, &owner, core, "sprints").await;
    let refused = json_ok(mv(&keys[1], "in_review", Some(core)).await, 409).await;
    assert!(
        refused["detail"]
            .as_str()
            .unwrap()
            .starts_with("Core runs in sprints"),
        "{refused}"
    );
}
