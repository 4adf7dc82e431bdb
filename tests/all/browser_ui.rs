//! The UI as a whole, in headless Chromium on the demo data: every main page at a laptop's and
//! a phone's width passes axe-core with no serious or critical violation, keeps its navigation,
//! and is photographed into `target/screenshots/` (kept by CI, not committed) to be looked at.
//! Each page's compressed HTML stays under 60 KB. Also the Overview's "Needs you" for a Product
//! Owner and a Product Manager, which follows the data as it changes.

use std::path::PathBuf;

use fantoccini::{Client, Locator};
use serde_json::{json, Value};

use crate::support::web::{browser, click, type_into};
use crate::support::{spawn_app, TestApp};

/// axe-core's script, which scripts/test installs from npm (THROUGHLINE_AXE names it).
fn axe_source() -> String {
    let path = std::env::var("THROUGHLINE_AXE")
        .unwrap_or_else(|_| "target/axe/node_modules/axe-core/axe.min.js".into());
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!("axe-core is not at {path} ({e}): run scripts/test, which installs it from npm")
    })
}

async fn sign_in_demo(c: &Client, app: &TestApp, email: &str) {
    c.goto(&app.url("/login")).await.expect("login page");
    type_into(c, "#email", email).await;
    type_into(c, "#password", throughline::seed::DEMO_PASSWORD).await;
    click(c, "button[type=submit]").await;
    c.wait()
        .for_element(Locator::Css("header.topbar"))
        .await
        .expect("signed in");
}

/// The serious and critical violations axe-core finds on the page, one line each.
async fn violations(c: &Client, axe: &str) -> Vec<String> {
    c.execute(axe, vec![]).await.expect("load axe-core");
    let found = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { resultTypes: ['violations'] })
                .then(r => done(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                    .map(v => v.id + ' (' + v.impact + '): ' + v.help + ' at ' +
                         v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))))
                .catch(e => done(['axe failed: ' + e]));",
            vec![],
        )
        .await
        .expect("run axe-core");
    found
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

async fn screenshot(c: &Client, name: &str, width: u32) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).expect("screenshots folder");
    let png = c.screenshot().await.expect("screenshot");
    std::fs::write(dir.join(format!("{name}-{width}.png")), png).expect("write screenshot");
}

/// The main pages of the demo, by name and address.
fn pages(sprint: i64, closed: i64, initiative: i64) -> Vec<(String, String)> {
    let p = "/w/demo/p/ONB";
    [
        ("workspace", "/w/demo".to_string()),
        ("overview", p.to_string()),
        ("backlog", format!("{p}/backlog")),
        ("item", "/w/demo/items/ONB-1".to_string()),
        ("ready", format!("{p}/ready")),
        ("sprints", format!("{p}/sprints")),
        ("board", format!("{p}/sprints/{sprint}/board")),
        ("plan", format!("{p}/sprints/{sprint}/plan")),
        ("review", format!("{p}/sprints/{closed}/review")),
        ("retro", format!("{p}/sprints/{closed}/retro")),
        ("reports", format!("{p}/reports")),
        ("forecast", format!("{p}/forecast")),
        ("alignment", format!("{p}/alignment")),
        ("teams", format!("{p}/teams")),
        ("documents", format!("{p}/documents")),
        ("strategy", format!("{p}/strategy")),
        ("initiatives", format!("{p}/initiatives")),
        ("initiative", format!("{p}/initiatives/{initiative}")),
        ("research", format!("{p}/research")),
        ("personas", format!("{p}/personas")),
        ("competitors", format!("{p}/competitors")),
        ("decisions", format!("{p}/decisions")),
        ("roadmap", "/w/demo/roadmap?product=ONB".to_string()),
        ("releases", format!("{p}/releases")),
        ("signoffs", format!("{p}/signoffs")),
        ("flow", "/w/demo/p/INS/flow".to_string()),
        ("inbox", "/inbox".to_string()),
        ("audit", "/w/demo/admin/audit".to_string()),
        ("members", "/w/demo/members".to_string()),
    ]
    .into_iter()
    .map(|(n, u)| (n.to_string(), u))
    .collect()
}

/// Dana Demo (PM and PO of the demo) with an API token.
async fn demo_caller(app: &TestApp) -> crate::support::Caller {
    let email = throughline::seed::DEMO_EMAIL;
    let id: i64 = throughline::with_pool!(&app.db.read, p => sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email).fetch_one(p).await)
    .unwrap();
    let token = throughline::auth::store::create_token(&app.db, id, "test", false)
        .await
        .unwrap();
    crate::support::Caller {
        id,
        email: email.into(),
        token,
    }
}

async fn demo_ids(app: &TestApp, who: &crate::support::Caller) -> (i64, i64, i64) {
    let sprints: Value = app
        .get(who, "/api/v1/workspaces/demo/products/ONB/sprints")
        .await
        .json()
        .await
        .unwrap();
    let list = sprints["items"].as_array().or(sprints.as_array()).unwrap();
    let id_in = |state: &str| {
        list.iter()
            .filter(|s| s["state"] == state)
            .map(|s| s["id"].as_i64().unwrap())
            .max()
            .unwrap()
    };
    let initiatives: Value = app
        .get(who, "/api/v1/workspaces/demo/products/ONB/initiatives")
        .await
        .json()
        .await
        .unwrap();
    let ini = initiatives["items"]
        .as_array()
        .or(initiatives.as_array())
        .unwrap()[0]["id"]
        .as_i64()
        .unwrap();
    (id_in("active"), id_in("closed"), ini)
}

#[tokio::test]
async fn every_main_page_passes_axe_at_laptop_and_phone_width_and_keeps_its_navigation() {
    let Some(c) = browser().await else {
        return eprintln!("THROUGHLINE_WEBDRIVER not set: browser test skipped");
    };
    let axe = axe_source();
    let app = spawn_app().await;
    throughline::seed::demo(&app.db).await.unwrap();
    let dana = demo_caller(&app).await;
    let (sprint, closed, initiative) = demo_ids(&app, &dana).await;
    sign_in_demo(&c, &app, throughline::seed::DEMO_EMAIL).await;
    let mut problems = Vec::new();
    for width in [1280u32, 390] {
        c.set_window_size(width, 900).await.expect("window size");
        for (name, url) in pages(sprint, closed, initiative) {
            c.goto(&app.url(&url)).await.expect("page");
            let status: Value = c
                .execute("return document.title", vec![])
                .await
                .expect("title");
            assert!(
                !status.as_str().unwrap_or_default().starts_with("Error"),
                "{name} at {url}: {status}"
            );
            if url.contains("/p/") {
                let nav = c
                    .find_all(Locator::Css("nav.sidebar a[aria-current=page]"))
                    .await
                    .unwrap();
                assert_eq!(
                    nav.len(),
                    1,
                    "{name}: one section of the sidebar is current"
                );
            }
            // A page's own bytes, compressed, stay under 60 KB (assets are cached apart).
            let bytes = c
                .execute(
                    "return performance.getEntriesByType('navigation')[0].transferSize",
                    vec![],
                )
                .await
                .expect("transfer size");
            let bytes = bytes.as_f64().unwrap_or_default();
            if bytes >= 60_000.0 {
                problems.push(format!("{name}: {bytes} bytes transferred"));
            }
            screenshot(&c, &name, width).await;
            for v in violations(&c, &axe).await {
                problems.push(format!("{name} at {width}px: {v}"));
            }
        }
    }
    assert!(problems.is_empty(), "axe-core:\n{}", problems.join("\n"));
    c.close().await.expect("close");
}

/// The lines of "Needs you" on the Overview.
async fn needs(c: &Client) -> Vec<String> {
    let v = c
        .execute(
            "return [...document.querySelectorAll('#needs li a')].map(a => a.textContent)",
            vec![],
        )
        .await
        .expect("needs");
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn needs_you_follows_the_data_for_a_po_and_for_a_pm() {
    let Some(c) = browser().await else {
        return eprintln!("THROUGHLINE_WEBDRIVER not set: browser test skipped");
    };
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let po = app.member(&owner, "Olga", &["po"]).await;
    let pm = app.member(&owner, "Pavel", &["pm"]).await;
    // An unready story at the top of the backlog: the PO is told; the PM is not.
    let story = app
        .item(
            &owner,
            json!({"kind": "story", "title": "Import a Trello board"}),
        )
        .await;
    let key = story["key"].as_str().unwrap().to_string();
    crate::support::web::sign_in(&c, &app, &po.email).await;
    c.goto(&app.url("/w/acme/p/ONB")).await.unwrap();
    let lines = needs(&c).await;
    assert!(
        lines
            .iter()
            .any(|l| l.contains("not ready") && l.contains(&key)),
        "{lines:?}"
    );
    // A question from the team: it appears for the PO, and goes once answered.
    let q: Value = app
        .post(
            &owner,
            &format!("/api/v1/workspaces/acme/items/{key}/questions"),
            json!({"body": "Which Trello export format?"}),
        )
        .await
        .json()
        .await
        .unwrap();
    c.refresh().await.unwrap();
    let lines = needs(&c).await;
    assert!(
        lines
            .iter()
            .any(|l| l.contains("Which Trello export format?")),
        "{lines:?}"
    );
    let answered = app
        .req(
            &po,
            reqwest::Method::POST,
            &format!(
                "/api/v1/workspaces/acme/items/{key}/questions/{}/answer",
                q["id"]
            ),
        )
        .header("If-Match", format!("\"{}\"", q["version"]))
        .json(&json!({"answer": "The JSON export"}))
        .send()
        .await
        .unwrap();
    assert!(answered.status().is_success(), "{}", answered.status());
    c.refresh().await.unwrap();
    let lines = needs(&c).await;
    assert!(
        !lines.iter().any(|l| l.contains("Which Trello")),
        "{lines:?}"
    );
    // The PM: no priorities this quarter is the first thing; once one is set, it goes.
    c.delete_all_cookies().await.unwrap();
    crate::support::web::sign_in(&c, &app, &pm.email).await;
    c.goto(&app.url("/w/acme/p/ONB")).await.unwrap();
    let lines = needs(&c).await;
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("No quarterly priorities")),
        "{lines:?}"
    );
    assert!(!lines.iter().any(|l| l.contains("not ready")), "{lines:?}");
    let quarter = throughline::strategy::Quarter::of(throughline::strategy::today()).to_string();
    let objective: Value = app
        .post(
            &pm,
            "/api/v1/workspaces/acme/products/ONB/objectives",
            json!({"quarter": quarter, "title": "Teams reach value in their first week"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let made = app
        .post(
            &pm,
            "/api/v1/workspaces/acme/products/ONB/priorities",
            json!({"quarter": quarter, "title": "Activation", "objectives": [objective["id"]],
                   "reason": "the quarter's first priority"}),
        )
        .await;
    assert!(made.status().is_success(), "{}", made.status());
    c.refresh().await.unwrap();
    let lines = needs(&c).await;
    assert!(
        !lines
            .iter()
            .any(|l| l.starts_with("No quarterly priorities")),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l == "“Activation” has no work committed this quarter"),
        "{lines:?}"
    );
    c.close().await.expect("close");
}

#[tokio::test]
async fn a_developer_sees_no_drag_handles_and_the_po_does() {
    let Some(c) = browser().await else {
        return eprintln!("THROUGHLINE_WEBDRIVER not set: browser test skipped");
    };
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let dev = app.member(&owner, "Devi", &["dev"]).await;
    app.story(&owner, "Sign up with a work e-mail").await;
    app.story(&owner, "Invite teammates").await;
    let handles = |c: Client| async move {
        c.find_all(Locator::Css("#backlog td.handle"))
            .await
            .unwrap()
            .len()
    };
    crate::support::web::sign_in(&c, &app, &dev.email).await;
    c.goto(&app.url("/w/acme/p/ONB/backlog")).await.unwrap();
    assert_eq!(handles(c.clone()).await, 0, "a developer may not reorder");
    assert!(c
        .find_all(Locator::Css("#backlog td.sel input"))
        .await
        .unwrap()
        .is_empty());
    c.delete_all_cookies().await.unwrap();
    crate::support::web::sign_in(&c, &app, &owner.email).await;
    c.goto(&app.url("/w/acme/p/ONB/backlog")).await.unwrap();
    assert_eq!(handles(c.clone()).await, 2, "the PO orders the backlog");
    c.close().await.expect("close");
}

#[tokio::test]
async fn the_roadmap_timeline_draws_a_bar_per_initiative_across_its_quarters_and_a_today_line() {
    let Some(c) = browser().await else {
        return eprintln!("THROUGHLINE_WEBDRIVER not set: browser test skipped");
    };
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let p = "/api/v1/workspaces/acme/products/ONB";
    let now = throughline::strategy::Quarter::of(throughline::strategy::today());
    let mut prios = Vec::new();
    for q in [now, now.next()] {
        let o: Value = app
            .post(
                &owner,
                &format!("{p}/objectives"),
                json!({"quarter": q.to_string(), "title": "Grow"}),
            )
            .await
            .json()
            .await
            .unwrap();
        let pr: Value = app
            .post(
                &owner,
                &format!("{p}/priorities"),
                json!({"quarter": q.to_string(), "title": "Activation", "objectives": [o["id"]], "reason": "planning"}),
            )
            .await
            .json()
            .await
            .unwrap();
        prios.push(pr["id"].clone());
    }
    // One initiative over both quarters, half done; one on no quarter's priorities.
    let across: Value = app
        .post(
            &owner,
            &format!("{p}/initiatives"),
            json!({"title": "Guided setup", "status": "in_progress", "priorities": prios}),
        )
        .await
        .json()
        .await
        .unwrap();
    app.post(
        &owner,
        &format!("{p}/initiatives"),
        json!({"title": "Later idea", "status": "idea"}),
    )
    .await;
    for (title, done) in [("Sign up", true), ("Invite", false)] {
        let key = app.story_in(&owner, title, &across["id"]).await;
        let v = app.show(&owner, &key).await["version"].as_i64().unwrap();
        let r = app
            .patch(
                &owner,
                &format!("/api/v1/workspaces/acme/items/{key}"),
                v,
                json!({"points": 3}),
            )
            .await;
        assert!(r.status().is_success(), "{}", r.status());
        if done {
            let r = app
                .patch(
                    &owner,
                    &format!("/api/v1/workspaces/acme/items/{key}"),
                    v + 1,
                    json!({"status": "done"}),
                )
                .await;
            assert!(r.status().is_success(), "{}", r.status());
        }
    }
    crate::support::web::sign_in(&c, &app, &owner.email).await;
    c.goto(&app.url("/w/acme/roadmap?product=ONB"))
        .await
        .unwrap();
    let geometry = c
        .execute(
            "const bar = document.querySelector(`#timeline tr[data-id='${arguments[0]}'] .tl-bar`);
             const heads = [...document.querySelectorAll('#timeline thead th')];
             const now = document.querySelector('#timeline thead th.current').getBoundingClientRect();
             const next = heads[heads.indexOf(document.querySelector('#timeline thead th.current')) + 1].getBoundingClientRect();
             const b = bar.getBoundingClientRect();
             const svg = document.querySelector('.tl-today').getBoundingClientRect();
             const x = parseFloat(document.querySelector('.tl-today line').getAttribute('x1'));
             const today = {left: svg.left + x * svg.width};
             return {bar: [b.left, b.right], now: [now.left, now.right], next: [next.left, next.right],
                     today: today.left, fill: bar.querySelector('progress').value,
                     unscheduled: document.querySelectorAll('.tl-unscheduled').length};",
            vec![across["id"].clone()],
        )
        .await
        .unwrap();
    let at = |k: &str, i: usize| geometry[k][i].as_f64().unwrap();
    // The bar starts at this quarter and ends with the next one (within a cell's padding).
    assert!((at("bar", 0) - at("now", 0)).abs() < 8.0, "{geometry}");
    assert!((at("bar", 1) - at("next", 1)).abs() < 8.0, "{geometry}");
    assert_eq!(geometry["fill"], json!(50), "half of its points are done");
    let today = geometry["today"].as_f64().unwrap();
    assert!(
        today >= at("now", 0) && today <= at("now", 1),
        "today falls in this quarter: {geometry}"
    );
    assert_eq!(geometry["unscheduled"], json!(1), "the idea has no bar");
    c.close().await.expect("close");
}
