//! Alignment without sprints (E11): a month, and a flow product's quarter, scored over the items
//! started (committed) and finished (completed) in it, against figures computed by hand; and a
//! PM's reorder of a flow product's To do column as a recorded override.

use crate::flow::{flow_product, history};
use crate::support;

use chrono::{Datelike, Duration, Utc};
use serde_json::{json, Value};
use support::scrum::{json_ok, P};
use support::{spawn_app, Caller, TestApp};

/// Two priorities of this quarter (P1 above P2), each with an initiative; their ids.
pub async fn priorities(app: &TestApp, owner: &Caller, quarter: &str) -> (Value, Value) {
    let o = json_ok(
        app.post(
            owner,
            &format!("{P}/objectives"),
            json!({"quarter": quarter, "title": "Grow"}),
        )
        .await,
        201,
    )
    .await["id"]
        .clone();
    let mut inits = Vec::new();
    for t in ["Activation", "Billing"] {
        let p = json_ok(
            app.post(
                owner,
                &format!("{P}/priorities"),
                json!({"quarter": quarter, "title": t, "objectives": [o], "reason": "planning"}),
            )
            .await,
            201,
        )
        .await["id"]
            .clone();
        let i = json_ok(
            app.post(
                owner,
                &format!("{P}/initiatives"),
                json!({"title": format!("{t} work"), "status": "planned", "priorities": [p]}),
            )
            .await,
            201,
        )
        .await["id"]
            .clone();
        inits.push(i);
    }
    (inits[0].clone(), inits[1].clone())
}

pub fn this_quarter() -> String {
    let t = Utc::now().date_naive();
    format!("{}-Q{}", t.year(), t.month0() / 3 + 1)
}

/// A sprint product with two priorities this quarter (Activation above Billing) and, this
/// month: A (3 pts, Activation) started and finished in it, B (2, Billing) started in it, and C
/// (1, no initiative) started before it and finished in it.
struct Month {
    app: TestApp,
    owner: Caller,
    quarter: String,
    /// This month, `YYYY-MM`.
    month: String,
}

async fn a_month_of_work() -> Month {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let quarter = this_quarter();
    let (p1, p2) = priorities(&app, &owner, &quarter).await;
    let a = app.story_in(&owner, "A", &p1).await;
    let b = app.story_in(&owner, "B", &p2).await;
    let c = app.story(&owner, "C").await["key"]
        .as_str()
        .unwrap()
        .to_string();
    for (key, points) in [(&a, 3), (&b, 2), (&c, 1)] {
        let v = app.show(&owner, key).await["version"].as_i64().unwrap();
        let r = app
            .patch(
                &owner,
                &format!("/api/v1/workspaces/acme/items/{key}"),
                v,
                json!({"points": points}),
            )
            .await;
        assert_eq!(r.status(), 200);
    }
    let today = Utc::now().date_naive();
    let month_start = today
        .with_day(1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc();
    let h = Duration::hours;
    // A started and finished in the month; B started in it; C started before it and finished in it.
    history(
        &app,
        &a,
        &[
            ("todo", month_start - h(100)),
            ("in_progress", month_start + h(1)),
            ("done", month_start + h(2)),
        ],
    )
    .await;
    history(
        &app,
        &b,
        &[
            ("todo", month_start - h(100)),
            ("in_progress", month_start + h(3)),
        ],
    )
    .await;
    history(
        &app,
        &c,
        &[
            ("todo", month_start - h(100)),
            ("in_progress", month_start - h(48)),
            ("done", month_start + h(4)),
        ],
    )
    .await;
    let month = month_start.format("%Y-%m").to_string();
    Month {
        app,
        owner,
        quarter,
        month,
    }
}

impl Month {
    async fn alignment(&self, query: &str, status: u16) -> Value {
        json_ok(
            self.app
                .get(&self.owner, &format!("{P}/alignment?{query}"))
                .await,
            status,
        )
        .await
    }
}

#[tokio::test]
async fn a_month_counts_points_started_and_finished_in_it_per_priority() {
    let m = a_month_of_work().await;
    let r = m.alignment(&format!("month={}", m.month), 200).await;
    assert_eq!(r["month"], m.month.as_str());
    assert_eq!(r["flow"], true);
    let pts = |v: &Value| v.as_f64().unwrap();
    assert_eq!(
        (
            pts(&r["priorities"][0]["committed"]),
            pts(&r["priorities"][0]["completed"])
        ),
        (3.0, 3.0)
    );
    assert_eq!(
        (
            pts(&r["priorities"][1]["committed"]),
            pts(&r["priorities"][1]["completed"])
        ),
        (2.0, 0.0)
    );
    assert_eq!(
        (
            pts(&r["unaligned_committed"]),
            pts(&r["unaligned_completed"])
        ),
        (0.0, 1.0)
    );
}

#[tokio::test]
async fn a_months_scores_match_the_hand_computed_ones_and_a_bad_month_is_refused() {
    let m = a_month_of_work().await;
    let r = m.alignment(&format!("month={}", m.month), 200).await;
    // Completed: u = 1/4, F = 0.75/0.8, C = 1/2, W = 1 − ½(|1 − 2/3| + |0 − 1/3|) → 75.
    assert_eq!(r["completed"]["score"]["score"], 75);
    // Committed: u = 0, F = 1, C = 1, W = 1 − ½(|0.6 − 2/3| + |0.4 − 1/3|) → 99.
    assert_eq!(r["committed"]["score"]["score"], 99);
    let bad = m.alignment("month=2026-13", 422).await;
    assert_eq!(bad["field"], "month");
}

#[tokio::test]
async fn a_flow_products_quarter_is_its_items_with_a_trend_by_month() {
    let m = a_month_of_work().await;
    // A sprint product's quarter still adds up sprints; in flow it is the quarter's items,
    // with a trend by month that ends with this month's score.
    let q = m.alignment(&format!("quarter={}", m.quarter), 200).await;
    assert!(q.get("flow").is_none(), "{q}");
    flow_product(&m.app, &m.owner, "warn").await;
    let q = m.alignment(&format!("quarter={}", m.quarter), 200).await;
    assert_eq!(q["flow"], true);
    let last = q["trend"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last, json!([m.month, 75]));
}

#[tokio::test]
async fn the_cli_scores_a_month_and_refuses_a_badly_written_one() {
    let m = a_month_of_work().await;
    flow_product(&m.app, &m.owner, "warn").await;
    let cli = support::cli::Cli::for_app(&m.app);
    let j = cli.json(&[
        "alignment",
        "--month",
        &m.month,
        "--as",
        &m.owner.email,
        "-w",
        "acme",
        "-p",
        "ONB",
        "--json",
    ]);
    assert_eq!(j["completed"]["score"]["score"], 75);
    let why = cli.fails(&[
        "alignment",
        "--month",
        "11-2026",
        "--as",
        &m.owner.email,
        "-w",
        "acme",
        "-p",
        "ONB",
    ]);
    assert!(why.contains("--month"), "{why}");
}

#[tokio::test]
async fn a_pms_reorder_of_the_flow_boards_to_do_column_is_a_recorded_override() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let pat = app.member(&owner, "Pat", &["pm"]).await;
    flow_product(&app, &owner, "block").await;
    let (p1, _) = priorities(&app, &owner, &this_quarter()).await;
    let a = app.story_in(&owner, "Guided setup", &p1).await;
    let b = app.story(&owner, "Unaligned chore").await["key"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/api/v1/workspaces/acme/items/{b}/move");
    let mv = |body: Value| app.post(&pat, &path, body);
    assert_eq!(
        mv(json!({"before": a})).await.status(),
        403,
        "the PM reorders only as an override"
    );
    let r = mv(json!({"before": a, "override_reason": "the chore unblocks a launch"})).await;
    assert_eq!(r.status(), 200);
    let o = json_ok(app.get(&owner, &format!("{P}/overrides")).await, 200).await;
    assert_eq!(
        (o["count"].as_i64(), o["overrides"][0]["kind"].as_str()),
        (Some(1), Some("tier"))
    );
    let inbox = json_ok(app.get(&owner, "/api/v1/inbox?unread=true").await, 200).await;
    let told = inbox["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| {
            n["title"]
                .as_str()
                .unwrap()
                .starts_with("PM override by Pat")
        })
        .expect("the PO is told");
    assert!(
        told["title"]
            .as_str()
            .unwrap()
            .contains("the flow board's To do order"),
        "{told}"
    );
    assert!(
        told["link"].as_str().unwrap().ends_with("/p/ONB/flow"),
        "{told}"
    );
    let board = json_ok(app.get(&owner, &format!("{P}/flow/board")).await, 200).await;
    assert_eq!(board["columns"][0]["cards"][0]["key"], b.as_str());
}
