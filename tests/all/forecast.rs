//! Forecasts from the team's own history: a constant throughput gives one date, too little
//! history is a guess, bad input names its field, and the CLI gives the API's answer.

use crate::flow::{flow_product, history, this_monday};
use crate::support;

use chrono::{Duration, Utc};
use serde_json::Value;
use support::scrum::{json_ok, P};
use support::{spawn_app, Caller, TestApp};

/// A flow product that finished exactly two items in each of the last eight whole weeks, with
/// `open` items still to do.
pub async fn steady_team(app: &TestApp, owner: &Caller, open: usize) {
    flow_product(app, owner, "warn").await;
    let m = this_monday();
    for week in 1..=8 {
        for n in 0..2 {
            let key = app.story(owner, &format!("W{week}.{n}")).await["key"]
                .as_str()
                .unwrap()
                .to_string();
            let start = m - Duration::weeks(week) + Duration::hours(10 + n);
            history(
                app,
                &key,
                &[
                    ("todo", start - Duration::days(3)),
                    ("in_progress", start),
                    ("done", start + Duration::hours(30)),
                ],
            )
            .await;
        }
    }
    for i in 0..open {
        app.story(owner, &format!("Open {i}")).await;
    }
}

#[tokio::test]
async fn a_constant_throughput_gives_one_date() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    steady_team(&app, &owner, 6).await;
    let today = Utc::now().date_naive();
    let by = (today + Duration::days(28)).to_string();
    let f = json_ok(
        app.get(
            &owner,
            &format!("{P}/forecast?items=is:open&by={by}&seed=5"),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(
        f["history"],
        serde_json::json!([2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0]),
        "{f}"
    );
    assert_eq!(
        (f["unit"].as_str(), f["work"].as_f64(), f["guess"].as_bool()),
        (Some("items"), Some(6.0), Some(false))
    );
    // Six items at two a week: three weeks, in every future.
    let three_weeks = (today + Duration::days(21)).to_string();
    for p in ["p50", "p85", "p95"] {
        assert_eq!(f["done_by"][p], three_weeks.as_str(), "{p}");
    }
    assert_eq!(
        f["distribution"],
        serde_json::json!([{"value": 21.0, "runs": 10000}])
    );
    // By four weeks from today: eight items, whatever the likelihood.
    assert_eq!(
        (f["by"]["periods"].as_i64(), f["by"]["p85"].as_f64()),
        (Some(4), Some(8.0))
    );
    let top = json_ok(app.get(&owner, &format!("{P}/forecast?top=2")).await, 200).await;
    assert_eq!(
        top["done_by"]["p85"],
        (today + Duration::days(7)).to_string().as_str()
    );
    let svg = app
        .get(&owner, &format!("{P}/forecast.svg?items=is:open"))
        .await;
    assert!(svg.text().await.unwrap().contains("85 % by"));

    let cli = support::cli::Cli::for_app(&app);
    let c: Value = cli.json(&[
        "forecast",
        "--items",
        "is:open",
        "--by",
        &by,
        "--seed",
        "5",
        "--as",
        &owner.email,
        "-w",
        "acme",
        "-p",
        "ONB",
        "--json",
    ]);
    assert_eq!(c["done_by"], f["done_by"]);
    assert_eq!(c["by"]["p85"], f["by"]["p85"]);
}

#[tokio::test]
async fn too_little_history_is_a_guess_and_bad_input_names_its_field() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    for t in ["A", "B"] {
        app.story(&owner, t).await;
    }
    // A sprint product with no closed sprint: nothing to draw from.
    let f = json_ok(app.get(&owner, &format!("{P}/forecast")).await, 200).await;
    assert_eq!(
        (f["cadence"].as_str(), f["guess"].as_bool()),
        (Some("sprints"), Some(true))
    );
    assert!(f["done_by"].is_null(), "{f}");
    for (q, field) in [
        ("by=2020-01-01", "by"),
        ("by=soon", "by"),
        ("items=status:", "items"),
        ("runs=5", "runs"),
        ("top=0", "top"),
    ] {
        let r = json_ok(app.get(&owner, &format!("{P}/forecast?{q}")).await, 422).await;
        assert_eq!(r["field"], field, "{q}");
    }
    // Three weeks of flow history: still a guess, but a range.
    flow_product(&app, &owner, "warn").await;
    let m = this_monday();
    let key = app.story(&owner, "Done").await["key"]
        .as_str()
        .unwrap()
        .to_string();
    history(
        &app,
        &key,
        &[
            ("todo", m - Duration::weeks(3)),
            ("in_progress", m - Duration::weeks(3)),
            ("done", m - Duration::days(2)),
        ],
    )
    .await;
    let f = json_ok(app.get(&owner, &format!("{P}/forecast")).await, 200).await;
    assert_eq!(
        (f["guess"].as_bool(), f["history"].as_array().unwrap().len()),
        (Some(true), 3)
    );
    assert!(f["done_by"]["p85"].is_string(), "{f}");
}

#[tokio::test]
async fn the_release_page_the_roadmap_and_the_plan_show_the_85_percent_date_red_when_late() {
    use support::session::{page_text, sign_in};
    let app = spawn_app().await;
    let owner = app.workspace().await;
    steady_team(&app, &owner, 6).await;
    let open: Vec<String> = (17..=22).map(|n| format!("ONB-{n}")).collect();
    let today = Utc::now().date_naive();
    let (soon, later) = (
        (today + Duration::days(7)).to_string(),
        (today + Duration::days(60)).to_string(),
    );
    for (name, target) in [("Soon", &soon), ("Later", &later)] {
        json_ok(
            app.post(
                &owner,
                &format!("{P}/releases"),
                serde_json::json!({"name": name, "target_date": target, "items": open}),
            )
            .await,
            201,
        )
        .await;
    }
    // Six open items at two a week: done in three weeks with 85 % likelihood.
    let p85 = (today + Duration::days(21)).to_string();
    let (client, _) = sign_in(&app, &owner.email).await;
    let page = page_text(&client, &app, "/w/acme/p/ONB/releases").await;
    let soon_line = support::session::between(&page, "id=\"forecast-1\"", "</p>").unwrap();
    assert!(
        soon_line.contains(&format!(
            "<span class=\"forecast-late\">85 % forecast: {p85}</span>"
        )),
        "{soon_line}"
    );
    assert!(soon_line.contains("the target is unlikely"), "{soon_line}");
    let later_line = support::session::between(&page, "id=\"forecast-2\"", "</p>").unwrap();
    assert!(
        later_line.contains(&format!("85 % forecast: {p85}"))
            && !later_line.contains("forecast-late"),
        "{later_line}"
    );
    let roadmap = page_text(&client, &app, "/w/acme/roadmap?product=ONB").await;
    let table = support::session::between(&roadmap, "id=\"roadmap-releases\"", "</table>").unwrap();
    assert!(
        table.contains(&format!("{p85} (target unlikely)")),
        "{table}"
    );
    let plan = app
        .get(&owner, &format!("{P}/documents/plan"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        plan.contains("85 % forecast (Monte Carlo)")
            && plan.contains(&format!("{p85}, after the target")),
        "{plan}"
    );
}

#[tokio::test]
async fn the_demo_shows_both_cadences_with_three_months_of_flow() {
    let cli = support::cli::Cli::demo_on("2026-11-18").await;
    let who = ["--as", "demo@throughline.local", "-w", "demo", "--json"];
    let run = |args: &[&str], p: &str| cli.json(&[args, &who, &["-p", p]].concat());
    assert_eq!(run(&["flow", "settings"], "ONB")["cadence"], "sprints");
    let s = run(&["flow", "settings"], "INS");
    assert_eq!(
        (s["cadence"].as_str(), s["wip_mode"].as_str()),
        (Some("flow"), Some("block"))
    );
    let r = run(&["flow", "report"], "INS");
    assert_eq!(
        r["throughput"].as_array().unwrap().len(),
        13,
        "three months of whole weeks"
    );
    assert_eq!(r["aging"].as_array().unwrap().len(), 5);
    let f = run(&["forecast", "--items", "is:open", "--seed", "3"], "INS");
    assert_eq!(
        (f["guess"].as_bool(), f["keys"].as_array().unwrap().len()),
        (Some(false), 12)
    );
    // The same forecast twice: seeded, so the same dates.
    assert_eq!(
        run(&["forecast", "--items", "is:open", "--seed", "3"], "INS")["done_by"],
        f["done_by"]
    );
    // ONB runs in sprints: its forecast draws from its four closed sprints' velocities.
    let onb = run(&["forecast", "--seed", "3"], "ONB");
    assert_eq!(
        (onb["cadence"].as_str(), onb["unit"].as_str()),
        (Some("sprints"), Some("points"))
    );
    assert_eq!(
        (
            onb["history"].as_array().unwrap().len(),
            onb["guess"].as_bool()
        ),
        (4, Some(false)),
        "{onb}"
    );
    assert!(onb["done_by"]["p85"].is_string(), "{onb}");
    let a = run(&["alignment", "--month", "2026-11"], "INS");
    assert_eq!(a["flow"], true);
    assert!(a["completed"]["score"]["score"].is_i64(), "{a}");
}

#[tokio::test]
async fn agents_read_the_flow_board_and_the_forecast_over_mcp() {
    use crate::mcp::client::Mcp;
    let app = spawn_app().await;
    let owner = app.workspace().await;
    steady_team(&app, &owner, 6).await;
    let mcp = Mcp::new(&app, &owner);
    let f = mcp
        .ok(
            "get_forecast",
            serde_json::json!({"product": "ONB", "items": "is:open", "seed": 5}),
        )
        .await;
    let api = json_ok(
        app.get(&owner, &format!("{P}/forecast?items=is:open&seed=5"))
            .await,
        200,
    )
    .await;
    assert_eq!(f["done_by"], api["done_by"]);
    assert!(
        f.get("distribution").is_none(),
        "the chart's data stays out of an agent's answer"
    );
    let b = mcp
        .ok("get_flow_board", serde_json::json!({"product": "ONB"}))
        .await;
    assert_eq!(b["settings"]["cadence"], "flow");
    let bad = mcp
        .refused(
            "get_forecast",
            serde_json::json!({"product": "ONB", "by": "soon"}),
        )
        .await;
    assert_eq!(bad["field"], "by");
}
