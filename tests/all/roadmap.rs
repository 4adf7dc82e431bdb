//! Roadmap tests (SQLite or PostgreSQL): timeline and now / next / later across products,
//! filters, progress, share links opened signed out and revoked, and who may do what.

use crate::support;

use reqwest::Method;
use serde_json::{json, Value};
use support::{spawn_app, Caller, TestApp};

fn quarters() -> (String, String) {
    let q = throughline::strategy::Quarter::of(throughline::strategy::today());
    (q.to_string(), q.next().to_string())
}

async fn post(app: &TestApp, who: &Caller, path: &str, body: Value) -> Value {
    let r = app.post(who, path, body.clone()).await;
    assert_eq!(
        r.status(),
        201,
        "{path} {body}: {}",
        r.text().await.unwrap_or_default()
    );
    r.json().await.unwrap()
}

/// Two products; ONB has work now and next, and an idea for later; GRO has a shipped one.
pub(crate) async fn roadmap_fixture(app: &TestApp) -> Caller {
    let pm = app.workspace().await;
    let r = app
        .post(
            &pm,
            "/api/v1/workspaces/acme/products",
            json!({"key": "GRO", "name": "Growth"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    app.roles(&pm, &pm, "GRO", &["pm", "po"]).await;
    let (now, next) = quarters();
    let p = "/api/v1/workspaces/acme/products/ONB";
    let o_now = post(
        app,
        &pm,
        &format!("{p}/objectives"),
        json!({"quarter": now, "title": "Activate"}),
    )
    .await["id"]
        .clone();
    let o_next = post(
        app,
        &pm,
        &format!("{p}/objectives"),
        json!({"quarter": next, "title": "Expand"}),
    )
    .await["id"]
        .clone();
    let pr_now = post(app, &pm, &format!("{p}/priorities"), json!({"quarter": now, "title": "First value", "objectives": [o_now], "reason": "planning"})).await["id"].clone();
    let pr_next = post(
        app,
        &pm,
        &format!("{p}/priorities"),
        json!({"quarter": next, "title": "Jira path", "objectives": [o_next]}),
    )
    .await["id"]
        .clone();
    let setup = post(
        app,
        &pm,
        &format!("{p}/initiatives"),
        json!({"title": "Guided setup", "status": "planned", "priorities": [pr_now]}),
    )
    .await;
    post(
        app,
        &pm,
        &format!("{p}/initiatives"),
        json!({"title": "Jira import", "status": "planned", "priorities": [pr_next]}),
    )
    .await;
    post(
        app,
        &pm,
        &format!("{p}/initiatives"),
        json!({"title": "Dark mode", "status": "idea"}),
    )
    .await;
    post(
        app,
        &pm,
        &format!("{p}/initiatives"),
        json!({"title": "Old plan", "status": "dropped"}),
    )
    .await;
    post(
        app,
        &pm,
        "/api/v1/workspaces/acme/products/GRO/initiatives",
        json!({"title": "Referral links", "status": "shipped"}),
    )
    .await;
    for (title, pts, done) in [("Checklist", 3, true), ("Tour", 5, false)] {
        let item = app.item(&pm, json!({"title": title, "points": pts, "status": if done { "done" } else { "todo" }})).await;
        let r = app
            .req(
                &pm,
                Method::PUT,
                &format!(
                    "/api/v1/workspaces/acme/items/{}/initiative",
                    item["key"].as_str().unwrap()
                ),
            )
            .json(&json!({"initiative": setup["id"]}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    pm
}

fn titles(v: &Value, horizon: &str) -> Vec<String> {
    v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["horizon"] == horizon)
        .map(|e| e["title"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn the_roadmap_spans_products_by_quarter_and_horizon_with_filters() {
    let app = spawn_app().await;
    let pm = roadmap_fixture(&app).await;
    let (now, next) = quarters();
    let r: Value = app
        .get(&pm, "/api/v1/workspaces/acme/roadmap")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r["current_quarter"], now);
    assert!(r["quarters"].as_array().unwrap().iter().any(|q| *q == next));
    assert_eq!(titles(&r, "now"), ["Guided setup"]);
    assert_eq!(titles(&r, "next"), ["Jira import"]);
    assert_eq!(titles(&r, "later"), ["Dark mode"]);
    assert_eq!(titles(&r, "done"), ["Referral links"]);
    assert!(
        !r.to_string().contains("Old plan"),
        "dropped work is off the roadmap"
    );
    let setup = r["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["title"] == "Guided setup")
        .unwrap();
    assert_eq!(
        (
            setup["points_done"].as_i64(),
            setup["points_total"].as_i64(),
            setup["progress"].as_i64()
        ),
        (Some(3), Some(8), Some(37))
    );
    assert_eq!(setup["priorities"][0]["quarter"], now);

    let only: Value = app
        .get(&pm, "/api/v1/workspaces/acme/roadmap?product=gro")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(only["entries"].as_array().unwrap().len(), 1);
    let planned: Value = app
        .get(&pm, "/api/v1/workspaces/acme/roadmap?status=planned")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(planned["entries"].as_array().unwrap().len(), 2);
    let prio = setup["priorities"][0]["id"].clone();
    let by_prio: Value = app
        .get(
            &pm,
            &format!("/api/v1/workspaces/acme/roadmap?priority={prio}"),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(titles(&by_prio, "now"), ["Guided setup"]);
    assert_eq!(by_prio["entries"].as_array().unwrap().len(), 1);
    for (q, field) in [
        ("product=NOPE", "product"),
        ("status=done", "status"),
        ("colour=red", "query"),
    ] {
        let r = app
            .get(&pm, &format!("/api/v1/workspaces/acme/roadmap?{q}"))
            .await;
        assert_eq!(r.status(), 422, "{q}");
        let p: Value = r.json().await.unwrap();
        assert_eq!(p["field"], field, "{q}");
    }
    // Pages: both views render, escaped, with progress bars.
    let html = page(&app, &pm, "/w/acme/roadmap").await;
    assert!(
        html.contains("id=\"timeline\"")
            && html.contains("Guided setup")
            && html.contains("<progress")
    );
    let html = page(&app, &pm, "/w/acme/roadmap?view=horizons&product=ONB").await;
    assert!(
        html.contains(">Now</h2>")
            && html.contains("Jira import")
            && !html.contains("Referral links")
    );
}

#[tokio::test]
async fn the_roadmap_page_lays_lanes_by_priority_and_shows_its_filters_as_chips() {
    let app = spawn_app().await;
    let pm = roadmap_fixture(&app).await;
    let (now, next) = quarters();
    let html = page(&app, &pm, "/w/acme/roadmap?product=ONB&lanes=priority").await;
    let lanes: Vec<&str> = html
        .split("<tr class=\"tl-lane\"><th scope=\"rowgroup\"")
        .skip(1)
        .map(|l| l.split_once('>').unwrap().1.split("</th>").next().unwrap())
        .collect();
    // By quarter and rank, and the initiative on no priority last.
    assert_eq!(
        lanes,
        [
            format!("{now} · priority 1 · First value"),
            format!("{next} · priority 1 · Jira path"),
            "Not on a quarter&#39;s priorities".to_string(),
        ],
        "{html}"
    );
    // The priority filter is a choice by name, and each filter in force is a chip whose ×
    // removes it and keeps the rest.
    assert!(
        html.contains(&format!("{now} · ONB 1 · First value</option>")),
        "{html}"
    );
    let chips = html
        .split("id=\"filter-chips\"")
        .nth(1)
        .unwrap()
        .split("</ul>")
        .next()
        .unwrap();
    assert!(chips.contains("Product: Onboarding"), "{chips}");
    assert!(
        chips.contains("href=\"/w/acme/roadmap?view=timeline&#38;lanes=priority\""),
        "{chips}"
    );
    let html = page(&app, &pm, "/w/acme/roadmap").await;
    assert!(!html.contains("id=\"filter-chips\"") && html.contains("id=\"lanes-priority\""));
}

pub(crate) async fn page(app: &TestApp, who: &Caller, path: &str) -> String {
    let r = app.get(who, path).await;
    assert_eq!(r.status(), 200, "{path}");
    r.text().await.unwrap()
}

#[tokio::test]
async fn a_share_link_shows_the_roadmap_signed_out_until_revoked() {
    let app = spawn_app().await;
    let pm = roadmap_fixture(&app).await;
    let sh = app.member(&pm, "Stake", &["stakeholder"]).await;
    let shares = "/api/v1/workspaces/acme/products/ONB/roadmap/shares";
    let r = app.post(&sh, shares, json!({"label": "board"})).await;
    assert_eq!(
        r.status(),
        403,
        "stakeholders read the roadmap but do not share it"
    );
    let link = post(&app, &pm, shares, json!({"label": "Board, Q1"})).await;
    let token = link["token"].as_str().unwrap().to_string();
    assert!(
        token.starts_with("rm_") && token.len() >= 48,
        "unguessable: {token}"
    );
    let other = post(&app, &pm, shares, json!({})).await;
    assert_ne!(other["token"], link["token"]);
    // Signed out: the page and the JSON, only this product, nothing to click into.
    let anon = reqwest::Client::new();
    let html = anon
        .get(app.url(&format!("/share/roadmap/{token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(html.status(), 200);
    let html = html.text().await.unwrap();
    assert!(html.contains("Guided setup") && html.contains("Onboarding roadmap"));
    assert!(
        !html.contains("Referral links") && !html.contains("/w/acme"),
        "other products and workspace links stay hidden"
    );
    let json: Value = anon
        .get(app.url(&format!("/api/v1/shared/roadmap/{token}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(json["entries"].as_array().unwrap().len(), 3);
    assert_eq!(
        anon.get(app.url("/share/roadmap/rm_guess"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    // The stored hash is not the token.
    let stored: Vec<String> = throughline::with_pool!(&app.db.read, p => sqlx::query_scalar("SELECT token_hash FROM roadmap_shares").fetch_all(p).await).unwrap();
    assert!(stored.iter().all(|h| *h != token));
    let list: Value = app.get(&pm, shares).await.json().await.unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert!(!list.to_string().contains(&token));
    let r = app
        .req(&pm, Method::DELETE, &format!("{shares}/{}", link["id"]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(
        anon.get(app.url(&format!("/share/roadmap/{token}")))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        anon.get(app.url(&format!("/api/v1/shared/roadmap/{token}")))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let r = app
        .req(&pm, Method::DELETE, &format!("{shares}/{}", link["id"]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let audit: Value = app
        .get(&pm, "/api/v1/workspaces/acme/audit")
        .await
        .json()
        .await
        .unwrap();
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"roadmap.share") && actions.contains(&"roadmap.revoke"));
}

#[tokio::test]
async fn roadmap_authority() {
    let app = spawn_app().await;
    let owner = roadmap_fixture(&app).await;
    let mut callers = Vec::new();
    for role in ["pm", "po", "sm", "dev", "stakeholder"] {
        callers.push((role, app.member(&owner, &format!("R{role}"), &[role]).await));
    }
    callers.push(("member", app.member(&owner, "Plain", &[]).await));
    callers.push(("outsider", app.user("Outsider").await));
    for (role, who) in &callers {
        let read = app
            .get(who, "/api/v1/workspaces/acme/roadmap")
            .await
            .status();
        let share = app
            .post(
                who,
                "/api/v1/workspaces/acme/products/ONB/roadmap/shares",
                json!({}),
            )
            .await
            .status();
        match *role {
            "outsider" => assert_eq!((read.as_u16(), share.as_u16()), (404, 404)),
            "pm" => assert_eq!((read.as_u16(), share.as_u16()), (200, 201)),
            _ => assert_eq!((read.as_u16(), share.as_u16()), (200, 403), "{role}"),
        }
    }
}

const ONB: &str = "/api/v1/workspaces/acme/products/ONB";

/// The roadmap fixture with stakeholders Erin Exec and Lee Legal and a developer, none of them
/// named as the product's stakeholders yet.
struct SignOff {
    app: TestApp,
    pm: Caller,
    exec: Caller,
    legal: Caller,
    dev: Caller,
}

impl SignOff {
    async fn unnamed() -> SignOff {
        let app = spawn_app().await;
        let pm = roadmap_fixture(&app).await;
        let exec = app.member(&pm, "Erin Exec", &["stakeholder"]).await;
        let legal = app.member(&pm, "Lee Legal", &["stakeholder"]).await;
        let dev = app.member(&pm, "Dev", &["dev"]).await;
        SignOff {
            app,
            pm,
            exec,
            legal,
            dev,
        }
    }

    /// Erin named for the exec group and Lee for legal.
    async fn named() -> SignOff {
        let s = SignOff::unnamed().await;
        for (who, group) in [(&s.exec, "exec"), (&s.legal, "legal")] {
            assert_eq!(s.name(who.id, group).await.status(), 200);
        }
        s
    }

    /// Named, and the PM's request to sign off the Q1 roadmap; the request.
    async fn requested() -> (SignOff, Value) {
        let s = SignOff::named().await;
        let req = s.request_roadmap().await;
        (s, req)
    }

    /// Requested, approved by Erin ("Go"), sent back by Lee and then approved by her; the
    /// request.
    async fn approved() -> (SignOff, Value) {
        let (s, req) = SignOff::requested().await;
        let answer = answer_url(&req);
        s.answer(
            &s.exec,
            &answer,
            json!({"answer": "approve", "comment": "Go"}),
        )
        .await;
        s.answer(
            &s.legal,
            &answer,
            json!({"answer": "request_changes", "comment": "Check the data terms first"}),
        )
        .await;
        s.answer(
            &s.legal,
            &answer,
            json!({"answer": "approve", "comment": "Terms fixed"}),
        )
        .await;
        (s, req)
    }

    /// The PM names `user_id` a stakeholder in `group`.
    async fn name(&self, user_id: i64, group: &str) -> reqwest::Response {
        self.app
            .req(&self.pm, Method::PUT, &format!("{ONB}/stakeholders"))
            .json(&json!({"user_id": user_id, "group": group}))
            .send()
            .await
            .unwrap()
    }

    async fn request_roadmap(&self) -> Value {
        post(
            &self.app,
            &self.pm,
            &format!("{ONB}/signoffs"),
            json!({"subject": "roadmap", "title": "Q1 roadmap"}),
        )
        .await
    }

    /// The PM's decision "SMB first?" and a request to sign it off; the request.
    async fn request_decision(&self) -> Value {
        let d: Value = self
            .app
            .post(
                &self.pm,
                &format!("{ONB}/decisions"),
                json!({"question": "SMB first?", "decision": "Yes"}),
            )
            .await
            .json()
            .await
            .unwrap();
        post(
            &self.app,
            &self.pm,
            &format!("{ONB}/signoffs"),
            json!({"subject": "decision", "decision": d["id"], "title": "SMB first"}),
        )
        .await
    }

    /// `who` answers at `answer` with `body`; the request as it then stands.
    async fn answer(&self, who: &Caller, answer: &str, body: Value) -> Value {
        self.app.post(who, answer, body).await.json().await.unwrap()
    }

    async fn page(&self, who: &Caller) -> String {
        self.app
            .get(who, "/w/acme/p/ONB/signoffs")
            .await
            .text()
            .await
            .unwrap()
    }
}

fn answer_url(req: &Value) -> String {
    format!("{ONB}/signoffs/{}/answer", req["id"])
}

#[tokio::test]
async fn a_signoff_waits_for_the_stakeholders_named_in_known_groups() {
    let s = SignOff::unnamed().await;
    let r = s
        .app
        .post(
            &s.pm,
            &format!("{ONB}/signoffs"),
            json!({"subject": "roadmap", "title": "Q1 roadmap"}),
        )
        .await;
    assert_eq!(r.status(), 422, "no stakeholders named yet");
    for (who, group) in [(&s.exec, "exec"), (&s.legal, "legal")] {
        assert_eq!(s.name(who.id, group).await.status(), 200);
    }
    assert_eq!(s.name(s.exec.id, "board").await.status(), 422);
    let req = s.request_roadmap().await;
    assert_eq!(req["status"], "pending");
    assert_eq!(req["waiting_for"], json!(["Erin Exec", "Lee Legal"]));
}

#[tokio::test]
async fn a_signoff_keeps_the_roadmap_as_it_was_when_asked() {
    let (s, req) = SignOff::requested().await;
    // The snapshot is frozen: later changes to the roadmap do not alter it.
    post(
        &s.app,
        &s.pm,
        &format!("{ONB}/initiatives"),
        json!({"title": "Added after asking", "status": "in_progress"}),
    )
    .await;
    let got: Value = s
        .app
        .get(&s.pm, &format!("{ONB}/signoffs/{}", req["id"]))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        got["snapshot"].to_string().contains("Guided setup")
            && !got["snapshot"].to_string().contains("Added after asking")
    );
}

#[tokio::test]
async fn only_named_stakeholders_answer_and_a_change_request_needs_a_comment() {
    let (s, req) = SignOff::requested().await;
    let (app, answer) = (&s.app, answer_url(&req));
    assert_eq!(
        app.post(&s.dev, &answer, json!({"answer": "approve"}))
            .await
            .status(),
        403
    );
    assert_eq!(
        app.post(&s.pm, &answer, json!({"answer": "approve"}))
            .await
            .status(),
        403
    );
    let r = app
        .post(&s.exec, &answer, json!({"answer": "request_changes"}))
        .await;
    assert_eq!(r.status(), 422, "changes need a comment");
    let r = s
        .answer(
            &s.exec,
            &answer,
            json!({"answer": "approve", "comment": "Go"}),
        )
        .await;
    assert_eq!(
        (r["status"].as_str(), r["waiting_for"].clone()),
        (Some("pending"), json!(["Lee Legal"]))
    );
    // The PM who asked hears the answer in the inbox.
    let inbox: Value = app.get(&s.pm, "/api/v1/inbox").await.json().await.unwrap();
    assert!(
        inbox["notifications"][0]["title"]
            .as_str()
            .unwrap_or_default()
            .contains("answered sign-off request"),
        "{inbox}"
    );
}

#[tokio::test]
async fn a_requested_change_holds_the_signoff_until_the_stakeholder_approves() {
    let (s, req) = SignOff::requested().await;
    let answer = answer_url(&req);
    s.answer(
        &s.exec,
        &answer,
        json!({"answer": "approve", "comment": "Go"}),
    )
    .await;
    let r = s
        .answer(
            &s.legal,
            &answer,
            json!({"answer": "request_changes", "comment": "Check the data terms first"}),
        )
        .await;
    assert_eq!(r["status"], "changes_requested");
    let r = s
        .answer(
            &s.legal,
            &answer,
            json!({"answer": "approve", "comment": "Terms fixed"}),
        )
        .await;
    assert_eq!(r["status"], "approved");
}

#[tokio::test]
async fn a_decision_is_signed_off_on_a_snapshot_of_it() {
    let (s, _) = SignOff::approved().await;
    let r = s
        .app
        .post(
            &s.pm,
            &format!("{ONB}/signoffs"),
            json!({"subject": "decision", "decision": 4242, "title": "x"}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let ds = s.request_decision().await;
    assert_eq!(ds["snapshot"]["decision"], "Yes");
}

#[tokio::test]
async fn the_signoffs_page_shows_each_status_at_a_glance_and_takes_an_answer() {
    let (s, _) = SignOff::approved().await;
    let ds = s.request_decision().await;
    // On a decision, and the page shows the status at a glance.
    let html = s.page(&s.exec).await;
    assert!(
        html.contains("badge-signoff-approved")
            && html.contains("badge-signoff-pending")
            && html.contains("Your answer to")
    );
    let r = s
        .app
        .req(
            &s.legal,
            Method::POST,
            &format!("/w/acme/p/ONB/signoffs/{}/answer", ds["id"]),
        )
        .form(&[("answer", "approve"), ("comment", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let html = s.page(&s.pm).await;
    assert!(html.contains("Ask the stakeholders") && !html.contains("Your answer to"));
}

#[tokio::test]
async fn releases_ship_items_and_launches_track_their_checklist() {
    let app = spawn_app().await;
    let pm = roadmap_fixture(&app).await;
    let po = app.member(&pm, "Po", &["po"]).await;
    let p = "/api/v1/workspaces/acme/products/ONB";
    let inits: Value = app
        .get(&pm, &format!("{p}/initiatives"))
        .await
        .json()
        .await
        .unwrap();
    let init = inits[0]["id"].clone();
    let rel = post(&app, &pm, &format!("{p}/releases"), json!({"name": "2027.1", "target_date": "2027-02-15", "items": ["onb-1", "ONB-2"], "initiatives": [init]})).await;
    assert_eq!(rel["items"], json!(["ONB-1", "ONB-2"]));
    for (body, field) in [
        (json!({"name": "x", "target_date": "Feb 15"}), "target_date"),
        (
            json!({"name": "x", "target_date": "2027-02-15", "items": ["ONB-99"]}),
            "items",
        ),
        (
            json!({"name": "x", "target_date": "2027-02-15", "initiatives": [4242]}),
            "initiatives",
        ),
        (
            json!({"name": "2027.1", "target_date": "2027-02-15"}),
            "name",
        ),
    ] {
        let r = app.post(&pm, &format!("{p}/releases"), body.clone()).await;
        assert_eq!(r.status(), 422, "{body}");
        let e: Value = r.json().await.unwrap();
        assert_eq!(e["field"], field, "{body}");
    }
    assert_eq!(
        app.post(
            &po,
            &format!("{p}/releases"),
            json!({"name": "y", "target_date": "2027-03-01"})
        )
        .await
        .status(),
        403
    );
    let r: Value = app
        .post(
            &pm,
            &format!("{p}/releases/{}/launches", rel["id"]),
            json!({"name": "Public launch", "target_date": "2027-02-20"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let launch = r["launches"][0]["id"].clone();
    assert_eq!(r["launches"][0]["readiness"], Value::Null);
    for (function, title) in [
        ("marketing", "Blog post"),
        ("docs", "Release notes"),
        ("sales enablement", "Demo script"),
    ] {
        let r = app.post(&pm, &format!("{p}/launches/{launch}/tasks"), json!({"function": function, "title": title, "owner": "Sam", "due_on": "2027-02-18"})).await;
        assert_eq!(r.status(), 201);
    }
    let r = app
        .post(
            &pm,
            &format!("{p}/launches/{launch}/tasks"),
            json!({"function": "finance", "title": "x", "due_on": "2027-02-18"}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let rel_now: Value = app
        .get(&pm, &format!("{p}/releases"))
        .await
        .json()
        .await
        .unwrap();
    let tasks = rel_now[0]["launches"][0]["tasks"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(tasks.len(), 3);
    let r: Value = app
        .req(
            &pm,
            Method::PATCH,
            &format!("{p}/launch-tasks/{}", tasks[0]["id"]),
        )
        .json(&json!({"done": true}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["launches"][0]["readiness"], 33);
    let r = app
        .patch(
            &pm,
            &format!("{p}/releases/{}", rel["id"]),
            1,
            json!({"status": "released"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        app.patch(
            &pm,
            &format!("{p}/releases/{}", rel["id"]),
            1,
            json!({"status": "planned"})
        )
        .await
        .status(),
        412
    );
    let html = app
        .get(&po, "/w/acme/p/ONB/releases")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Public launch")
            && html.contains("33% ready")
            && html.contains("Release notes")
            && !html.contains("Plan a release")
    );
    let r = app
        .req(&pm, Method::POST, "/w/acme/p/ONB/releases")
        .form(&[
            ("name", "2027.2"),
            ("target_date", "2027-05-01"),
            ("items", "ONB-1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
}

#[tokio::test]
async fn the_roadmap_filters_by_team() {
    let app = spawn_app().await;
    let pm = roadmap_fixture(&app).await;
    app.roles(&pm, &pm, "ONB", &["pm", "po", "sm"]).await;
    app.roles(&pm, &pm, "GRO", &["pm", "po", "sm"]).await;
    let g = app
        .post(
            &pm,
            "/api/v1/workspaces/acme/products/GRO/initiatives",
            json!({"title": "Invite flow", "status": "planned"}),
        )
        .await;
    assert_eq!(g.status(), 201);
    let t = app
        .post(
            &pm,
            "/api/v1/workspaces/acme/products/ONB/teams",
            json!({"name": "Core"}),
        )
        .await;
    assert_eq!(t.status(), 201);
    let team: Value = t.json().await.unwrap();
    let id = team["id"].as_i64().unwrap();
    let all: Value = app
        .get(&pm, "/api/v1/workspaces/acme/roadmap")
        .await
        .json()
        .await
        .unwrap();
    let mine: Value = app
        .get(&pm, &format!("/api/v1/workspaces/acme/roadmap?team={id}"))
        .await
        .json()
        .await
        .unwrap();
    let products = |v: &Value| -> Vec<String> {
        let mut p: Vec<String> = v["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["product"].as_str().unwrap().to_string())
            .collect();
        p.dedup();
        p
    };
    assert!(products(&all).contains(&"GRO".to_string()), "{all}");
    assert_eq!(products(&mine), vec!["ONB"], "Core works on ONB only");
    let r = app
        .get(&pm, "/api/v1/workspaces/acme/roadmap?team=999")
        .await;
    assert_eq!(r.status(), 422);
}

/// Each initiative's roll-up is kept by the database as items change; after every kind of
/// change it must equal the sum over the initiative's items, worked out here by hand.
#[tokio::test]
async fn the_roll_up_follows_every_change_to_an_item() {
    let app = spawn_app().await;
    let pm = app.workspace().await;
    let p = "/api/v1/workspaces/acme/products/ONB";
    let a = post(
        &app,
        &pm,
        &format!("{p}/initiatives"),
        json!({"title": "A", "status": "planned"}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let b = post(
        &app,
        &pm,
        &format!("{p}/initiatives"),
        json!({"title": "B", "status": "planned"}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let rollup = |id: i64| {
        let app = &app;
        let pm = &pm;
        async move {
            let v: Value = app
                .get(pm, &format!("{p}/initiatives/{id}"))
                .await
                .json()
                .await
                .unwrap();
            (
                v["points_total"].as_i64().unwrap(),
                v["points_done"].as_i64().unwrap(),
            )
        }
    };
    let edit = |key: String, body: Value| {
        let app = &app;
        let pm = &pm;
        async move {
            let v = app.show(pm, &key).await["version"].as_i64().unwrap();
            let r = app
                .patch(
                    pm,
                    &format!("/api/v1/workspaces/acme/items/{key}"),
                    v,
                    body.clone(),
                )
                .await;
            assert_eq!(r.status(), 200, "{body}: {}", r.text().await.unwrap());
        }
    };
    let key = |v: Value| v["key"].as_str().unwrap().to_string();
    let x = key(app.item(&pm, json!({"title": "x", "points": 3})).await);
    let y = key(app.item(&pm, json!({"title": "y", "points": 5})).await);
    let z = key(app.item(&pm, json!({"title": "z", "points": 2})).await);
    app.link_initiative(&pm, &x, &json!(a)).await;
    app.link_initiative(&pm, &y, &json!(a)).await;
    assert_eq!(rollup(a).await, (8, 0));
    edit(x.clone(), json!({"status": "done"})).await;
    assert_eq!(rollup(a).await, (8, 3));
    edit(x.clone(), json!({"points": 4})).await;
    assert_eq!(
        rollup(a).await,
        (9, 4),
        "a done item's new points count as done"
    );
    edit(x.clone(), json!({"title": "x, renamed"})).await;
    assert_eq!(rollup(a).await, (9, 4));
    app.link_initiative(&pm, &y, &json!(b)).await;
    assert_eq!((rollup(a).await, rollup(b).await), ((4, 4), (5, 0)));
    app.link_initiative(&pm, &z, &json!(b)).await;
    edit(z.clone(), json!({"points": null})).await;
    assert_eq!(rollup(b).await, (5, 0), "an unestimated item adds nothing");
    edit(z.clone(), json!({"points": 1, "status": "done"})).await;
    assert_eq!(rollup(b).await, (6, 1));
    edit(z.clone(), json!({"status": "in_progress"})).await;
    assert_eq!(rollup(b).await, (6, 0), "reopened work is no longer done");
    let v = app.show(&pm, &x).await["version"].as_i64().unwrap();
    let r = app
        .req(
            &pm,
            Method::DELETE,
            &format!("/api/v1/workspaces/acme/items/{x}"),
        )
        .header("If-Match", format!("\"{v}\""))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(rollup(a).await, (0, 0));
    app.link_initiative(&pm, &y, &Value::Null).await;
    assert_eq!(rollup(b).await, (1, 0));
    // The roadmap reads the same kept figures.
    let r: Value = app
        .get(&pm, "/api/v1/workspaces/acme/roadmap")
        .await
        .json()
        .await
        .unwrap();
    let e = r["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == b)
        .cloned()
        .unwrap();
    assert_eq!(
        (e["points_total"].as_i64(), e["points_done"].as_i64()),
        (Some(1), Some(0))
    );
}

/// A request never waits on someone who may not answer: every named stakeholder answers,
/// whatever their roles; answering again keeps the earlier answer and its comment.
#[tokio::test]
async fn every_named_stakeholder_answers_and_earlier_answers_stay() {
    let app = spawn_app().await;
    let pm = roadmap_fixture(&app).await;
    let eng = app.member(&pm, "Eli Eng", &["dev"]).await;
    let p = "/api/v1/workspaces/acme/products/ONB";
    let r = app
        .req(&pm, Method::PUT, &format!("{p}/stakeholders"))
        .json(&json!({"user_id": eng.id, "group": "engineering"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let req = post(
        &app,
        &pm,
        &format!("{p}/signoffs"),
        json!({"subject": "roadmap", "title": "Q1 roadmap"}),
    )
    .await;
    let answer = format!("{p}/signoffs/{}/answer", req["id"]);
    let r = app
        .post(
            &eng,
            &answer,
            json!({"answer": "request_changes", "comment": "SSO before dark mode"}),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let r: Value = app
        .post(
            &eng,
            &answer,
            json!({"answer": "approve", "comment": "reordered, fine"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r["status"], "approved");
    let history: Vec<(&str, &str)> = r["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["answer"].as_str().unwrap(),
                a["comment"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        history,
        vec![
            ("request_changes", "SSO before dark mode"),
            ("approve", "reordered, fine")
        ]
    );
    let html = app
        .get(&pm, "/w/acme/p/ONB/signoffs")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("SSO before dark mode"),
        "the change request stays on the page"
    );
    let html = app
        .get(&eng, "/w/acme/p/ONB/signoffs")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Your answer to"),
        "the named developer may answer from the page"
    );
}
