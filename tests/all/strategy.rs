//! Strategy API tests (objectives, metrics, priorities, initiatives) through the real router,
//! on SQLite or PostgreSQL (TEST_DATABASE_URL).

use crate::support;

use reqwest::Method;
use serde_json::{json, Value};
use support::{spawn_app, Caller, TestApp};

const P: &str = "/api/v1/workspaces/acme/products/ONB";

fn now_quarter() -> String {
    throughline::strategy::Quarter::of(throughline::strategy::today()).to_string()
}

/// A quarter far ahead, which has not started: no reasons needed.
const LATER: &str = "2099-Q2";

async fn created(app: &TestApp, who: &Caller, path: &str, body: Value) -> Value {
    let r = app.post(who, &format!("{P}{path}"), body.clone()).await;
    assert_eq!(
        r.status(),
        201,
        "{path} {body}: {}",
        r.text().await.unwrap_or_default()
    );
    r.json().await.unwrap()
}

async fn problem(r: reqwest::Response, status: u16) -> Value {
    assert_eq!(r.status(), status);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    r.json().await.unwrap()
}

async fn json_of(app: &TestApp, who: &Caller, path: &str) -> Value {
    let r = app.get(who, path).await;
    assert_eq!(r.status(), 200, "{path}");
    r.json().await.unwrap()
}

async fn audit_actions(app: &TestApp, who: &Caller) -> Vec<(String, Option<String>)> {
    let v = json_of(app, who, "/api/v1/workspaces/acme/audit").await;
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_string(),
                e["reason"].as_str().map(str::to_string),
            )
        })
        .collect()
}

#[tokio::test]
async fn objectives_and_metrics_track_progress_to_target() {
    let app = spawn_app().await;
    let pm = app.workspace().await;
    let o = created(
        &app,
        &pm,
        "/objectives",
        json!({"quarter": LATER, "title": "Activate new teams"}),
    )
    .await;
    assert_eq!(o["version"], 1);
    let m = created(
        &app,
        &pm,
        "/metrics",
        json!({"objective_id": o["id"], "name": "Week-1 activation",
        "unit": "%", "direction": "up", "baseline": 20, "target": 40}),
    )
    .await;
    let mid = m["id"].as_i64().unwrap();
    assert_eq!(m["progress"], Value::Null);
    let values = format!("{P}/metrics/{mid}/values");
    for (day, v) in [("2099-04-03", 24.0), ("2099-05-01", 30.0)] {
        let r = app
            .post(&pm, &values, json!({"measured_on": day, "value": v}))
            .await;
        assert_eq!(r.status(), 201);
    }
    // A second value on the same day replaces the first.
    let r = app
        .post(
            &pm,
            &values,
            json!({"measured_on": "2099-05-01", "value": 31.0}),
        )
        .await;
    let d: Value = r.json().await.unwrap();
    assert_eq!(d["history"].as_array().unwrap().len(), 2);
    assert_eq!(d["current"], 31.0);
    assert_eq!(d["progress"], 55);
    // Unknown date formats and non-numbers are refused, and nothing is written.
    for (body, field) in [
        (
            json!({"measured_on": "05/01/2099", "value": 1}),
            "measured_on",
        ),
        (
            json!({"measured_on": "2099-02-30", "value": 1}),
            "measured_on",
        ),
        (
            json!({"measured_on": "2099-06-01", "value": "high"}),
            "value",
        ),
    ] {
        let p = problem(app.post(&pm, &values, body).await, 422).await;
        assert_eq!(p["field"], field);
    }
    let d = json_of(&app, &pm, &format!("{P}/metrics/{mid}")).await;
    assert_eq!(d["history"].as_array().unwrap().len(), 2);
    // A target on the wrong side of the baseline.
    let p = problem(
        app.post(
            &pm,
            &format!("{P}/metrics"),
            json!({"name": "Churn", "direction": "down", "baseline": 4, "target": 8}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(p["field"], "target");
    let list = json_of(&app, &pm, &format!("{P}/objectives?quarter={LATER}")).await;
    assert_eq!(list[0]["metrics"][0]["name"], "Week-1 activation");
    let p = problem(
        app.get(&pm, &format!("{P}/objectives?quarter=2099-Q7"))
            .await,
        422,
    )
    .await;
    assert_eq!(p["field"], "quarter");

    // Versions: a stale edit is refused with the current state; none at all needs If-Match.
    let path = format!("{P}/objectives/{}", o["id"]);
    let r = app
        .patch(&pm, &path, 1, json!({"title": "Activate more new teams"}))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["etag"], "\"2\"");
    let p = problem(
        app.patch(&pm, &path, 1, json!({"title": "Other"})).await,
        412,
    )
    .await;
    assert_eq!(p["current"]["title"], "Activate more new teams");
    let r = app
        .req(&pm, Method::PATCH, &path)
        .json(&json!({"title": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 428);
    let actions: Vec<String> = audit_actions(&app, &pm)
        .await
        .into_iter()
        .map(|a| a.0)
        .collect();
    for a in [
        "objective.create",
        "metric.create",
        "metric.value",
        "objective.update",
    ] {
        assert!(
            actions.contains(&a.to_string()),
            "{a} not audited: {actions:?}"
        );
    }
}

async fn objective(app: &TestApp, pm: &Caller, quarter: &str) -> i64 {
    created(
        app,
        pm,
        "/objectives",
        json!({"quarter": quarter, "title": format!("Grow in {quarter}")}),
    )
    .await["id"]
        .as_i64()
        .unwrap()
}

fn titles(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|p| p["title"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn priorities_are_ranked_and_need_a_reason_once_the_quarter_started() {
    let app = spawn_app().await;
    let pm = app.workspace().await;
    let later = objective(&app, &pm, LATER).await;
    for t in ["Onboarding", "Retention", "Enterprise"] {
        created(
            &app,
            &pm,
            "/priorities",
            json!({"quarter": LATER, "title": t, "objectives": [later]}),
        )
        .await;
    }
    let list = json_of(&app, &pm, &format!("{P}/priorities?quarter={LATER}")).await;
    assert_eq!(titles(&list), ["Onboarding", "Retention", "Enterprise"]);
    assert_eq!(list[2]["position"], 3);
    let (first, last) = (
        list[0]["id"].as_i64().unwrap(),
        list[2]["id"].as_i64().unwrap(),
    );
    let r = app
        .post(
            &pm,
            &format!("{P}/priorities/{last}/move"),
            json!({"before": first}),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        titles(&r.json().await.unwrap()),
        ["Enterprise", "Onboarding", "Retention"]
    );
    let r = app
        .post(
            &pm,
            &format!("{P}/priorities/{first}/move"),
            json!({"to": "bottom"}),
        )
        .await;
    assert_eq!(
        titles(&r.json().await.unwrap()),
        ["Enterprise", "Retention", "Onboarding"]
    );

    // Malformed quarters, missing objectives and objectives of another quarter are refused.
    let now = now_quarter();
    let current = objective(&app, &pm, &now).await;
    for (body, field) in [
        (
            json!({"quarter": "2027Q1", "title": "x", "objectives": [later]}),
            "quarter",
        ),
        (
            json!({"quarter": "2027-Q5", "title": "x", "objectives": [later]}),
            "quarter",
        ),
        (
            json!({"quarter": LATER, "title": "x", "objectives": []}),
            "objectives",
        ),
        (
            json!({"quarter": LATER, "title": "x", "objectives": [current]}),
            "objectives",
        ),
        (
            json!({"quarter": LATER, "title": "x", "objectives": [later], "position": "middle"}),
            "position",
        ),
    ] {
        let p = problem(
            app.post(&pm, &format!("{P}/priorities"), body.clone())
                .await,
            422,
        )
        .await;
        assert_eq!(p["field"], field, "{body}");
    }
    // The current quarter has started: adding, moving and removing need a reason.
    let body = json!({"quarter": now, "title": "Stop churn", "objectives": [current]});
    let p = problem(
        app.post(&pm, &format!("{P}/priorities"), body.clone())
            .await,
        422,
    )
    .await;
    assert_eq!(p["field"], "reason");
    assert_eq!(
        json_of(&app, &pm, &format!("{P}/priorities?quarter={now}")).await,
        json!([])
    );
    let mut with_reason = body.clone();
    with_reason["reason"] = json!("Churn doubled in October");
    let a = created(&app, &pm, "/priorities", with_reason).await;
    let b = created(&app, &pm, "/priorities", json!({"quarter": now, "title": "Self-serve", "objectives": [current], "reason": "Board ask"})).await;
    let path = format!("{P}/priorities/{}/move", b["id"]);
    let p = problem(app.post(&pm, &path, json!({"before": a["id"]})).await, 422).await;
    assert_eq!(p["field"], "reason");
    let r = app
        .post(
            &pm,
            &path,
            json!({"before": a["id"], "reason": "Sales pipeline needs it"}),
        )
        .await;
    assert_eq!(
        titles(&r.json().await.unwrap()),
        ["Self-serve", "Stop churn"]
    );
    let del = format!("{P}/priorities/{}", a["id"]);
    let r = app
        .req(&pm, Method::DELETE, &del)
        .header("If-Match", "\"1\"")
        .send()
        .await
        .unwrap();
    assert_eq!(problem(r, 422).await["field"], "reason");
    let r = app
        .req(
            &pm,
            Method::DELETE,
            &format!("{del}?reason=Merged%20into%20self-serve"),
        )
        .header("If-Match", "\"1\"")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let audit = audit_actions(&app, &pm).await;
    let reason_of = |action: &str| {
        audit
            .iter()
            .find(|a| a.0 == action)
            .and_then(|a| a.1.clone())
    };
    assert_eq!(
        reason_of("priority.remove").as_deref(),
        Some("Merged into self-serve")
    );
    assert_eq!(
        reason_of("priority.move").as_deref(),
        Some("Sales pipeline needs it")
    );
    assert_eq!(audit.iter().filter(|a| a.0 == "priority.add").count(), 5);
}

/// ONB with Po (po) and Dev (dev); priorities Activation and Retention in a later quarter, a
/// metric, and two scored initiatives: Guided setup (Retention, the metric) and Dark mode
/// (Activation).
struct Scored {
    app: TestApp,
    pm: Caller,
    po: Caller,
    dev: Caller,
    p1: Value,
    p2: Value,
    m: Value,
    /// Guided setup as created.
    i: Value,
    /// Dark mode as created.
    low: Value,
    /// Guided setup's path.
    path: String,
}

async fn two_scored_initiatives() -> Scored {
    let app = spawn_app().await;
    let pm = app.workspace().await;
    let po = app.member(&pm, "Po", &["po"]).await;
    let dev = app.member(&pm, "Dev", &["dev"]).await;
    let o = objective(&app, &pm, LATER).await;
    let p1 = created(
        &app,
        &pm,
        "/priorities",
        json!({"quarter": LATER, "title": "Activation", "objectives": [o]}),
    )
    .await["id"]
        .clone();
    let p2 = created(
        &app,
        &pm,
        "/priorities",
        json!({"quarter": LATER, "title": "Retention", "objectives": [o]}),
    )
    .await["id"]
        .clone();
    let m = created(
        &app,
        &pm,
        "/metrics",
        json!({"name": "Activation", "baseline": 20, "target": 40}),
    )
    .await["id"]
        .clone();
    let i = created(&app, &pm, "/initiatives", json!({"title": "Guided setup", "status": "planned",
        "scores": {"reach": 2000, "impact": 2, "confidence": 80, "effort": 4, "business_value": 8, "time_criticality": 5, "risk_reduction": 3, "job_size": 5},
        "priorities": [p2], "metrics": [m]})).await;
    let low = created(&app, &pm, "/initiatives", json!({"title": "Dark mode", "scores": {"reach": 100, "impact": 0.5, "confidence": 50, "effort": 1}, "priorities": [p1]})).await;
    let path = format!("{P}/initiatives/{}", i["id"]);
    Scored {
        app,
        pm,
        po,
        dev,
        p1,
        p2,
        m,
        i,
        low,
        path,
    }
}

/// The reasons an item is not ready, by code.
fn codes(v: &Value) -> Vec<String> {
    v["readiness"]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap().to_string())
        .collect()
}

impl Scored {
    /// The PO's Definition of Ready asks for an initiative; then the ready story Checklist
    /// (ONB-1).
    async fn ready_needs_an_initiative(&self) -> Value {
        let r = self
            .app
            .req(&self.po, Method::PUT, &format!("{P}/ready-rules"))
            .header("If-Match", "\"1\"")
            .json(&json!({"needs_initiative": true}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        self.app.item(&self.po, json!({"title": "Checklist", "persona": "admin", "goal": "see my setup steps", "benefit": "I finish setup",
            "criteria": ["Given a new workspace When I open it Then I see 5 setup steps"]})).await
    }

    /// `ready_needs_an_initiative`, then `estimate_and_link_both`.
    async fn items_linked(&self) {
        self.ready_needs_an_initiative().await;
        self.estimate_and_link_both().await;
    }

    /// The story Welcome tour (ONB-2); the developer estimates ONB-1 at 3 and ONB-2 at 5
    /// points, and the PO links both to Guided setup.
    async fn estimate_and_link_both(&self) {
        let (app, po, dev) = (&self.app, &self.po, &self.dev);
        app.story(po, "Welcome tour").await;
        for (key, pts) in [("ONB-1", 3), ("ONB-2", 5)] {
            let v = app.show(dev, key).await["version"].as_i64().unwrap();
            let r = app
                .patch(
                    dev,
                    &format!("/api/v1/workspaces/acme/items/{key}"),
                    v,
                    json!({"points": pts}),
                )
                .await;
            assert_eq!(r.status(), 200);
            app.link_initiative(po, key, &self.i["id"]).await;
        }
    }
}

#[tokio::test]
async fn an_initiative_shows_its_rice_and_wsjf_and_its_priority_and_metrics() {
    let s = two_scored_initiatives().await;
    let i = &s.i;
    assert_eq!(i["rice"], 800.0);
    assert_eq!(i["rice_formula"], "2000 × 2 × 80% ÷ 4 = 800");
    assert_eq!(i["wsjf"], 3.2);
    assert_eq!(i["priorities"][0]["position"], 2);
    assert_eq!(i["metrics"], json!([s.m]));
}

#[tokio::test]
async fn bad_scores_and_two_priorities_in_one_quarter_are_refused_and_change_nothing() {
    let s = two_scored_initiatives().await;
    let (app, pm, p1, p2) = (&s.app, &s.pm, &s.p1, &s.p2);
    // Scores out of range and two priorities in one quarter are refused; nothing changes.
    for (body, field) in [
        (json!({"scores": {"impact": 1.5}}), "impact"),
        (json!({"scores": {"confidence": 120}}), "confidence"),
        (json!({"scores": {"effort": 0}}), "effort"),
        (json!({"scores": {"job_size": 0}}), "job_size"),
        (json!({"status": "done"}), "status"),
        (json!({"priorities": [p1, p2]}), "priorities"),
        (json!({"metrics": [9999]}), "metrics"),
    ] {
        let p = problem(app.patch(pm, &s.path, 1, body.clone()).await, 422).await;
        assert_eq!(p["field"], field, "{body}");
    }
    let p = problem(
        app.post(
            pm,
            &format!("{P}/initiatives"),
            json!({"title": "x", "scores": {"reach": -5}}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(p["field"], "reach");
    assert_eq!(json_of(app, pm, &s.path).await["version"], 1);
    assert_eq!(
        json_of(app, pm, &format!("{P}/initiatives"))
            .await
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn initiatives_sort_by_rice_or_by_priority_in_the_quarter() {
    let s = two_scored_initiatives().await;
    let (app, pm) = (&s.app, &s.pm);
    // Prioritization view: by RICE, by WSJF (unscored last), by priority in the quarter.
    assert_eq!(
        titles(&json_of(app, pm, &format!("{P}/initiatives?sort=rice")).await),
        ["Guided setup", "Dark mode"]
    );
    assert_eq!(
        titles(
            &json_of(
                app,
                pm,
                &format!("{P}/initiatives?sort=priority&quarter={LATER}")
            )
            .await
        ),
        ["Dark mode", "Guided setup"]
    );
    let p = problem(
        app.get(pm, &format!("{P}/initiatives?sort=votes")).await,
        422,
    )
    .await;
    assert_eq!(p["field"], "sort");
}

#[tokio::test]
async fn an_item_is_not_ready_without_an_initiative_until_the_po_links_one() {
    let s = two_scored_initiatives().await;
    // The Definition of Ready asks for an initiative; the PO links items, and points roll up.
    let checklist = s.ready_needs_an_initiative().await;
    assert!(
        codes(&checklist).contains(&"no_initiative".to_string()),
        "{checklist}"
    );
    s.estimate_and_link_both().await;
    let item = s.app.show(&s.po, "ONB-1").await;
    assert_eq!(item["initiative_id"], s.i["id"]);
    assert!(
        !codes(&item).contains(&"no_initiative".to_string()),
        "{item}"
    );
    assert_eq!(item["ready"], true);
}

#[tokio::test]
async fn the_points_of_linked_items_roll_up_into_the_initiatives_progress() {
    let s = two_scored_initiatives().await;
    s.items_linked().await;
    let v = s.app.show(&s.dev, "ONB-2").await["version"]
        .as_i64()
        .unwrap();
    s.app
        .patch(
            &s.dev,
            "/api/v1/workspaces/acme/items/ONB-2",
            v,
            json!({"status": "done"}),
        )
        .await;
    let got = json_of(&s.app, &s.pm, &s.path).await;
    assert_eq!(got["items"], json!(["ONB-1", "ONB-2"]));
    // The product's list names the same items (read another way on PostgreSQL), and none
    // under the initiative they are not linked to.
    let all = json_of(&s.app, &s.pm, &format!("{P}/initiatives")).await;
    let items_of = |id: &Value| {
        all.as_array()
            .or_else(|| all["initiatives"].as_array())
            .unwrap()
            .iter()
            .find(|n| n["id"] == *id)
            .map(|n| n["items"].clone())
    };
    assert_eq!(
        items_of(&s.i["id"]),
        Some(json!(["ONB-1", "ONB-2"])),
        "{all}"
    );
    assert_eq!(items_of(&s.low["id"]), Some(json!([])), "{all}");
    assert_eq!(
        (
            got["points_done"].as_i64(),
            got["points_total"].as_i64(),
            got["progress"].as_i64()
        ),
        (Some(5), Some(8), Some(62))
    );
}

/// An initiative's items are listed by number, as numbers and not as text (ONB-9 before
/// ONB-10), in the product's list and alone, on both databases (they are read one row an
/// initiative, the numbers put together by the database).
#[tokio::test]
async fn an_initiatives_items_are_listed_in_the_order_of_their_numbers() {
    let s = two_scored_initiatives().await;
    for n in 1..=11 {
        s.app.story(&s.po, &format!("Story {n}")).await;
    }
    for key in ["ONB-11", "ONB-2", "ONB-10", "ONB-9"] {
        s.app.link_initiative(&s.po, key, &s.low["id"]).await;
    }
    let expected = json!(["ONB-2", "ONB-9", "ONB-10", "ONB-11"]);
    let one = json_of(&s.app, &s.pm, &format!("{P}/initiatives/{}", s.low["id"])).await;
    assert_eq!(one["items"], expected);
    let all = json_of(&s.app, &s.pm, &format!("{P}/initiatives")).await;
    let listed = all
        .as_array()
        .or_else(|| all["initiatives"].as_array())
        .unwrap()
        .iter()
        .map(|n| (n["id"].clone(), n["items"].clone()))
        .collect::<Vec<_>>();
    assert!(listed.contains(&(s.low["id"].clone(), expected)), "{all}");
    assert!(listed.contains(&(s.i["id"].clone(), json!([]))), "{all}");
}

#[tokio::test]
async fn detaching_an_item_clears_its_link_and_brings_the_readiness_reason_back() {
    let s = two_scored_initiatives().await;
    s.items_linked().await;
    // Detaching clears the link and brings the readiness reason back.
    let r = s
        .app
        .req(
            &s.po,
            Method::PUT,
            "/api/v1/workspaces/acme/items/ONB-1/initiative",
        )
        .json(&json!({"initiative": null}))
        .send()
        .await
        .unwrap();
    let item: Value = r.json().await.unwrap();
    assert_eq!(item["initiative_id"], Value::Null);
    assert!(codes(&item).contains(&"no_initiative".to_string()));
}

#[tokio::test]
async fn an_initiative_is_deleted_on_its_current_version() {
    let s = two_scored_initiatives().await;
    let r = s
        .app
        .req(
            &s.pm,
            Method::DELETE,
            &format!("{P}/initiatives/{}", s.low["id"]),
        )
        .header("If-Match", "\"1\"")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
}

#[tokio::test]
async fn links_across_products_and_workspaces_are_refused() {
    let app = spawn_app().await;
    let pm = app.workspace().await;
    let other = app.user("Other").await;
    let r = app
        .post(
            &other,
            "/api/v1/workspaces",
            json!({"slug": "other", "name": "Other"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let r = app
        .post(
            &other,
            "/api/v1/workspaces/other/products",
            json!({"key": "OTH", "name": "Other product"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let r = app
        .req(
            &other,
            Method::PUT,
            &format!("/api/v1/workspaces/other/products/OTH/roles/{}", other.id),
        )
        .json(&json!({"roles": ["pm"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let q = "/api/v1/workspaces/other/products/OTH";
    let theirs_o: Value = app
        .post(
            &other,
            &format!("{q}/objectives"),
            json!({"quarter": LATER, "title": "Theirs"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let theirs_i: Value = app
        .post(
            &other,
            &format!("{q}/initiatives"),
            json!({"title": "Theirs"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let theirs_m: Value = app
        .post(
            &other,
            &format!("{q}/metrics"),
            json!({"name": "Theirs", "baseline": 1, "target": 2}),
        )
        .await
        .json()
        .await
        .unwrap();
    app.story(&pm, "Ours").await;
    let r = app
        .req(
            &pm,
            Method::PUT,
            "/api/v1/workspaces/acme/items/ONB-1/initiative",
        )
        .json(&json!({"initiative": theirs_i["id"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(r, 422).await["field"], "initiative");
    let p = problem(
        app.post(
            &pm,
            &format!("{P}/priorities"),
            json!({"quarter": LATER, "title": "x", "objectives": [theirs_o["id"]]}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(p["field"], "objectives");
    let p = problem(
        app.post(
            &pm,
            &format!("{P}/initiatives"),
            json!({"title": "x", "metrics": [theirs_m["id"]]}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(p["field"], "metrics");
    let p = problem(
        app.post(
            &pm,
            &format!("{P}/metrics"),
            json!({"name": "x", "baseline": 1, "target": 2, "objective_id": theirs_o["id"]}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(p["field"], "objective_id");
    // Their entities do not exist under our product, and their workspace does not exist for us.
    assert_eq!(
        app.get(&pm, &format!("{P}/initiatives/{}", theirs_i["id"]))
            .await
            .status(),
        404
    );
    assert_eq!(
        app.get(&pm, &format!("{q}/initiatives")).await.status(),
        404
    );
    assert_eq!(app.show(&pm, "ONB-1").await["initiative_id"], Value::Null);
    assert_eq!(
        json_of(&app, &pm, &format!("{P}/initiatives")).await,
        json!([])
    );
}

#[tokio::test]
async fn strategy_authorization_matrix() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let mut callers = Vec::new();
    for role in ["pm", "po", "sm", "dev", "stakeholder"] {
        callers.push((role, app.member(&owner, &format!("R{role}"), &[role]).await));
    }
    callers.push(("member", app.member(&owner, "Plain", &[]).await));
    callers.push(("outsider", app.user("Outsider").await));
    let o = objective(&app, &owner, LATER).await;
    let i = created(&app, &owner, "/initiatives", json!({"title": "Shared"})).await["id"].clone();
    let m = created(
        &app,
        &owner,
        "/metrics",
        json!({"name": "Activation", "baseline": 1, "target": 2}),
    )
    .await["id"]
        .clone();
    let table: &[(&str, &[&str])] = &[
        ("view", &["pm", "po", "sm", "dev", "stakeholder", "member"]),
        ("objective", &["pm"]),
        ("priority", &["pm"]),
        ("initiative", &["pm"]),
        ("metric_value", &["pm"]),
        ("link_item", &["pm", "po"]),
    ];
    for (action, allowed) in table {
        for (role, who) in &callers {
            let key = app.story(&owner, &format!("{action} by {role}")).await["key"]
                .as_str()
                .unwrap()
                .to_string();
            let r = match *action {
                "view" => app.get(who, &format!("{P}/initiatives")).await,
                "objective" => {
                    app.post(
                        who,
                        &format!("{P}/objectives"),
                        json!({"quarter": LATER, "title": "x"}),
                    )
                    .await
                }
                "priority" => {
                    app.post(
                        who,
                        &format!("{P}/priorities"),
                        json!({"quarter": LATER, "title": "x", "objectives": [o]}),
                    )
                    .await
                }
                "initiative" => {
                    app.patch(
                        who,
                        &format!("{P}/initiatives/{i}"),
                        json_of(&app, &owner, &format!("{P}/initiatives/{i}")).await["version"]
                            .as_i64()
                            .unwrap(),
                        json!({"status": "discovery"}),
                    )
                    .await
                }
                "metric_value" => {
                    app.post(
                        who,
                        &format!("{P}/metrics/{m}/values"),
                        json!({"measured_on": "2099-04-01", "value": 1.5}),
                    )
                    .await
                }
                "link_item" => app
                    .req(
                        who,
                        Method::PUT,
                        &format!("/api/v1/workspaces/acme/items/{key}/initiative"),
                    )
                    .json(&json!({"initiative": i}))
                    .send()
                    .await
                    .unwrap(),
                _ => unreachable!(),
            };
            let status = r.status().as_u16();
            if allowed.contains(role) {
                assert!(
                    (200..300).contains(&status),
                    "{role} should be allowed to {action}: {status} {}",
                    r.text().await.unwrap_or_default()
                );
            } else if *role == "outsider" {
                assert_eq!(status, 404, "outsiders see nothing ({action})");
            } else {
                assert_eq!(status, 403, "{role} should not {action}");
            }
        }
    }
}

#[tokio::test]
async fn openapi_lists_the_strategy_routes() {
    let app = spawn_app().await;
    let doc: Value = app
        .client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "objectives",
        "objectives/{id}",
        "metrics",
        "metrics/{id}",
        "metrics/{id}/values",
        "priorities",
        "priorities/{id}",
        "priorities/{id}/move",
        "initiatives",
        "initiatives/{id}",
    ] {
        let p = format!("/api/v1/workspaces/{{ws}}/products/{{product}}/{p}");
        assert!(paths.contains_key(&p), "openapi lacks {p}");
    }
    assert!(paths.contains_key("/api/v1/workspaces/{ws}/items/{key}/initiative"));
}

#[tokio::test]
async fn items_take_the_tier_of_their_initiatives_priority_or_their_parents() {
    let app = spawn_app().await;
    let pm = app.workspace().await;
    let o = objective(&app, &pm, LATER).await;
    let mut prios = Vec::new();
    for t in ["Activation", "Retention"] {
        prios.push(
            created(
                &app,
                &pm,
                "/priorities",
                json!({"quarter": LATER, "title": t, "objectives": [o]}),
            )
            .await["id"]
                .clone(),
        );
    }
    let top = created(
        &app,
        &pm,
        "/initiatives",
        json!({"title": "Setup", "priorities": [prios[0]]}),
    )
    .await["id"]
        .clone();
    let second = created(
        &app,
        &pm,
        "/initiatives",
        json!({"title": "Churn", "priorities": [prios[1]]}),
    )
    .await["id"]
        .clone();
    let loose = created(&app, &pm, "/initiatives", json!({"title": "Idea"})).await["id"].clone();
    let parent = app.story(&pm, "Epic").await;
    app.item(&pm, json!({"title": "Child", "parent": parent["key"]}))
        .await;
    app.story(&pm, "Retention story").await;
    app.story(&pm, "Loose story").await;
    app.story(&pm, "No initiative").await;
    for (key, init) in [("ONB-1", &top), ("ONB-3", &second), ("ONB-4", &loose)] {
        let r = app
            .req(
                &pm,
                Method::PUT,
                &format!("/api/v1/workspaces/acme/items/{key}/initiative"),
            )
            .json(&json!({"initiative": init}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    let product: i64 = throughline::with_pool!(&app.db.read, p => sqlx::query_scalar("SELECT id FROM products WHERE key = 'ONB'").fetch_one(p).await).unwrap();
    let q = throughline::strategy::Quarter::parse(LATER).unwrap();
    let tiers = |q| {
        let db = app.db.clone();
        async move {
            let (_, order) = throughline::governance::tiers::order(&db, product, q)
                .await
                .unwrap();
            order.iter().map(|o| o.placed.tier).collect::<Vec<_>>()
        }
    };
    assert_eq!(tiers(q).await, [Some(1), Some(1), Some(2), None, None]);
    // Reordering the priorities reorders the tiers; another quarter has none.
    app.post(
        &pm,
        &format!("{P}/priorities/{}/move", prios[1]),
        json!({"to": "top"}),
    )
    .await;
    assert_eq!(tiers(q).await, [Some(2), Some(2), Some(1), None, None]);
    let other = throughline::strategy::Quarter::parse("2099-Q3").unwrap();
    assert_eq!(
        tiers(other).await,
        [],
        "a quarter without priorities gives no tiers"
    );
}
