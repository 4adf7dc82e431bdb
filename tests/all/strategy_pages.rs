//! Strategy pages: forms for objectives, metrics, priorities and initiatives, the progress chart,
//! and what each role sees.

use crate::support;

use reqwest::Client;
use serde_json::Value;
use support::{spawn_app, TestApp, PASSWORD};

fn between<'a>(html: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = html.find(start)? + start.len();
    Some(&html[from..from + html[from..].find(end)?])
}

/// A browser-like client signed in as `email`, and its CSRF token.
async fn sign_in(app: &TestApp, email: &str) -> (Client, String) {
    let client = Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = client
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = between(&page, "name=\"csrf\" value=\"", "\"")
        .unwrap()
        .to_string();
    let r = client
        .post(app.url("/login"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", email),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "sign-in failed");
    let home = client
        .get(app.url("/account"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = between(&home, "name=\"csrf-token\" content=\"", "\"")
        .unwrap()
        .to_string();
    (client, token)
}

async fn page(c: &Client, app: &TestApp, path: &str) -> String {
    let r = c.get(app.url(path)).send().await.unwrap();
    assert_eq!(r.status(), 200, "{path}");
    r.text().await.unwrap()
}

async fn form(c: &Client, app: &TestApp, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    c.post(app.url(path)).form(fields).send().await.unwrap()
}

const W: &str = "/w/acme/p/ONB";
const LATER: &str = "2099-Q2";

#[tokio::test]
async fn the_pm_sets_objectives_metrics_and_priorities_through_forms() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let sh = app.member(&owner, "Stake", &["stakeholder"]).await;
    let (c, csrf) = sign_in(&app, &owner.email).await;
    let r = form(
        &c,
        &app,
        &format!("{W}/objectives"),
        &[
            ("csrf", &csrf),
            ("quarter", LATER),
            ("title", "Activate <teams>"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let html = page(&c, &app, &format!("{W}/strategy?quarter={LATER}")).await;
    assert!(
        html.contains("Activate &#60;teams&#62;") && !html.contains("<teams>"),
        "title is escaped"
    );
    let oid = between(&html, "<option value=\"", "\"")
        .unwrap()
        .to_string();
    let r = form(
        &c,
        &app,
        &format!("{W}/metrics"),
        &[
            ("csrf", &csrf),
            ("quarter", LATER),
            ("objective_id", &oid),
            ("name", "Activation"),
            ("unit", "%"),
            ("direction", "up"),
            ("baseline", "20"),
            ("target", "40"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    for t in ["Self-serve", "Retention"] {
        let r = form(
            &c,
            &app,
            &format!("{W}/priorities"),
            &[
                ("csrf", &csrf),
                ("quarter", LATER),
                ("title", t),
                ("objectives", &oid),
            ],
        )
        .await;
        assert_eq!(r.status(), 303);
    }
    // A priority without objectives comes back with the message beside the form.
    let r = form(
        &c,
        &app,
        &format!("{W}/priorities"),
        &[("csrf", &csrf), ("quarter", LATER), ("title", "Orphan")],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("at least one objective"));
    let html = page(&c, &app, &format!("{W}/strategy?quarter={LATER}")).await;
    assert!(html.find("Self-serve").unwrap() < html.find("Retention").unwrap());
    let mid = between(&html, &format!("{W}/metrics/"), "\"")
        .unwrap()
        .to_string();
    // Values, a bad date refused with the message, and the chart drawn from the history.
    for (d, v) in [("2099-04-02", "24"), ("2099-05-02", "30")] {
        let r = form(
            &c,
            &app,
            &format!("{W}/metrics/{mid}/values"),
            &[("csrf", &csrf), ("measured_on", d), ("value", v)],
        )
        .await;
        assert_eq!(r.status(), 303);
    }
    let r = form(
        &c,
        &app,
        &format!("{W}/metrics/{mid}/values"),
        &[("csrf", &csrf), ("measured_on", "2 May"), ("value", "3")],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("is not a date like"));
    let html = page(&c, &app, &format!("{W}/metrics/{mid}")).await;
    assert!(html.contains("<svg"), "chart");
    assert_eq!(html.matches("<circle").count(), 2);
    assert!(html.contains("50% of the way"));
    // Reordering by script answers without a page; a stakeholder reads but gets no forms.
    let prios: Value = app
        .get(
            &owner,
            &format!("/api/v1/workspaces/acme/products/ONB/priorities?quarter={LATER}"),
        )
        .await
        .json()
        .await
        .unwrap();
    let (first, second) = (prios[0]["id"].to_string(), prios[1]["id"].to_string());
    let r = c
        .post(app.url(&format!("{W}/priorities/{second}/move")))
        .header("x-csrf-token", &csrf)
        .form(&[("before", first.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let html = page(&c, &app, &format!("{W}/strategy?quarter={LATER}")).await;
    assert!(html.find("Retention").unwrap() < html.find("Self-serve").unwrap());
    let r = c
        .post(app.url(&format!("{W}/priorities/{second}/move")))
        .header("x-csrf-token", "forged")
        .form(&[("to", "bottom")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let (s, _) = sign_in(&app, &sh.email).await;
    let html = page(&s, &app, &format!("{W}/strategy?quarter={LATER}")).await;
    assert!(
        html.contains("Retention")
            && !html.contains("Add a priority")
            && !html.contains("Move or remove")
    );
}

#[tokio::test]
async fn initiatives_are_scored_and_linked_from_their_page() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let po = app.member(&owner, "Po", &["po"]).await;
    app.story(&owner, "Checklist").await;
    let (c, csrf) = sign_in(&app, &owner.email).await;
    let r = form(
        &c,
        &app,
        &format!("{W}/initiatives"),
        &[
            ("csrf", &csrf),
            ("title", "Guided setup"),
            ("status", "planned"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let at = r.headers()["location"].to_str().unwrap().to_string();
    let scores = [
        ("reach", "2000"),
        ("impact", "2"),
        ("confidence", "80"),
        ("effort", "4"),
        ("business_value", "8"),
        ("time_criticality", "5"),
        ("risk_reduction", "3"),
        ("job_size", "5"),
    ];
    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("version", "1"),
        ("title", "Guided setup"),
        ("status", "in_progress"),
        ("description", ""),
    ];
    fields.extend(scores);
    let r = form(&c, &app, &at, &fields).await;
    assert_eq!(r.status(), 303);
    let html = page(&c, &app, &at).await;
    assert!(
        html.contains("2000 × 2 × 80% ÷ 4 = 800") && html.contains("(8 + 5 + 3) ÷ 5 = 3.2"),
        "{html}"
    );
    // A stale form and an out-of-range score are refused with the message.
    let r = form(&c, &app, &at, &fields).await;
    assert_eq!(r.status(), 412);
    let mut bad = fields.clone();
    bad[1] = ("version", "2");
    bad.push(("impact", "7"));
    bad.retain(|f| f != &("impact", "2"));
    let r = form(&c, &app, &at, &bad).await;
    assert_eq!(r.status(), 422);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("impact: must be 0.25, 0.5, 1, 2 or 3"));
    // The PO links a backlog item; an unknown key is named.
    let (p, pcsrf) = sign_in(&app, &po.email).await;
    let html = page(&p, &app, &at).await;
    assert!(html.contains("Add to this initiative") && !html.contains("<h2>Edit</h2>"));
    let r = form(
        &p,
        &app,
        &format!("{at}/items"),
        &[("csrf", &pcsrf), ("key", "onb-1")],
    )
    .await;
    assert_eq!(r.status(), 303);
    let r = form(
        &p,
        &app,
        &format!("{at}/items"),
        &[("csrf", &pcsrf), ("key", "ONB-99")],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("no item ONB-99"));
    let list = page(&c, &app, &format!("{W}/initiatives?sort=wsjf")).await;
    assert!(list.contains("Guided setup") && list.contains("<strong>WSJF</strong>"));
    assert!(page(&c, &app, &at).await.contains("/w/acme/items/ONB-1"));
}

#[tokio::test]
async fn research_is_recorded_linked_and_searched_from_pages() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let dev = app.member(&owner, "Dev", &["dev"]).await;
    let init: Value = app
        .post(
            &owner,
            "/api/v1/workspaces/acme/products/ONB/initiatives",
            serde_json::json!({"title": "Guided setup"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let (c, csrf) = sign_in(&app, &owner.email).await;
    let r = form(
        &c,
        &app,
        &format!("{W}/personas"),
        &[
            ("csrf", &csrf),
            ("name", "New admin"),
            ("goals", "set up fast"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let r = form(
        &c,
        &app,
        &format!("{W}/research"),
        &[
            ("csrf", &csrf),
            ("kind", "support_ticket"),
            ("title", "Ticket 4411"),
            ("happened_on", "2026-11-03"),
            ("customer", "Contoso"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let at = r.headers()["location"].to_str().unwrap().to_string();
    let r = form(
        &c,
        &app,
        &format!("{W}/research"),
        &[
            ("csrf", &csrf),
            ("kind", "support_ticket"),
            ("title", "x"),
            ("happened_on", "3rd"),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    let html = page(&c, &app, &at).await;
    let upto = &html[..html.find("\">New admin").unwrap()];
    let persona = upto[upto.rfind("value=\"").unwrap() + 7..].to_string();
    let r = form(
        &c,
        &app,
        &at,
        &[
            ("csrf", &csrf),
            ("kind", "quote"),
            ("importance", "4"),
            ("persona_id", &persona),
            ("body", "I could not find where to invite my team"),
            ("tags", "invites, setup"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let r = form(
        &c,
        &app,
        &at,
        &[
            ("csrf", &csrf),
            ("kind", "quote"),
            ("importance", "9"),
            ("body", "x"),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("importance"));
    let html = page(&c, &app, &at).await;
    assert!(
        html.contains("“I could not find where to invite my team”") && html.contains("New admin")
    );
    let insight = between(&html, "class=\"insight\" data-id=\"", "\"")
        .unwrap()
        .to_string();
    let r = form(
        &c,
        &app,
        &format!("{W}/research/insights/{insight}/evidence"),
        &[
            ("csrf", &csrf),
            ("initiative", &init["id"].to_string()),
            ("item", ""),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let page_of_initiative = page(&c, &app, &format!("{W}/initiatives/{}", init["id"])).await;
    assert!(page_of_initiative.contains("I could not find where to invite my team"));
    let list = page(&c, &app, &format!("{W}/initiatives?sort=evidence")).await;
    assert!(list.contains("<strong>evidence</strong>"));
    let found = page(&c, &app, &format!("{W}/research?q=inviting")).await;
    assert!(
        found.contains("I could not find where to invite my team"),
        "stemmed search"
    );
    let found = page(&c, &app, &format!("{W}/research?q=contoso")).await;
    assert!(found.contains("Ticket 4411"));
    // The vision is set on the strategy page; a developer reads it without the forms.
    let v: Value = app
        .get(&owner, "/api/v1/workspaces/acme/products/ONB/vision")
        .await
        .json()
        .await
        .unwrap();
    let r = form(
        &c,
        &app,
        &format!("{W}/vision"),
        &[
            ("csrf", &csrf),
            ("version", &v["version"].to_string()),
            ("vision", "Strategy to sprint"),
            ("target_segments", "SaaS teams"),
            ("positioning", "PM and PO, one line"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let (d, _) = sign_in(&app, &dev.email).await;
    let html = page(&d, &app, &format!("{W}/strategy")).await;
    assert!(
        html.contains("Strategy to sprint")
            && html.contains("SaaS teams")
            && !html.contains("Edit the vision")
    );
    let html = page(&d, &app, &at).await;
    assert!(!html.contains("Record an insight") && !html.contains("Link as evidence"));
}

#[tokio::test]
async fn an_item_page_links_to_its_initiative() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let init: Value = app
        .post(
            &owner,
            "/api/v1/workspaces/acme/products/ONB/initiatives",
            serde_json::json!({"title": "Guided setup"}),
        )
        .await
        .json()
        .await
        .unwrap();
    app.story(&owner, "Checklist").await;
    let html = app
        .get(&owner, "/w/acme/items/ONB-1")
        .await
        .text()
        .await
        .unwrap();
    assert!(!html.contains("id=\"item-initiative\""));
    let r = app
        .req(
            &owner,
            reqwest::Method::PUT,
            "/api/v1/workspaces/acme/items/ONB-1/initiative",
        )
        .json(&serde_json::json!({"initiative": init["id"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = app
        .get(&owner, "/w/acme/items/ONB-1")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains(&format!(
        "href=\"/w/acme/p/ONB/initiatives/{}\" id=\"item-initiative\"",
        init["id"]
    )));
}
