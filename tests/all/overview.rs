//! A product's Overview through the API (SQLite or PostgreSQL): the running sprint, the
//! quarter's alignment, and "Needs you" by the caller's roles.

use serde_json::Value;

use crate::support::spawn_app;

#[tokio::test]
async fn the_overview_tells_each_role_what_needs_them() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let po = app.member(&owner, "Olga", &["po"]).await;
    let pm = app.member(&owner, "Pavel", &["pm"]).await;
    let viewer = app.member(&owner, "Vera", &["stakeholder"]).await;
    let story = app.story(&owner, "Import a Trello board").await;
    let path = "/api/v1/workspaces/acme/products/ONB/overview";
    let get = |who| {
        let app = &app;
        async move {
            let r = app.get(who, path).await;
            assert_eq!(r.status(), 200);
            r.json::<Value>().await.unwrap()
        }
    };
    let o = get(&po).await;
    assert_eq!(o["product"], "ONB");
    assert_eq!(o["cadence"], "sprints");
    assert_eq!(o["sprint"], Value::Null);
    assert_eq!(o["score"], Value::Null);
    let texts = |o: &Value| -> Vec<String> {
        o["needs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["text"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        texts(&o),
        [format!(
            "1 item in the top 10 of the backlog is not ready: {}",
            story["key"].as_str().unwrap()
        )]
    );
    assert_eq!(o["needs"][0]["role"], "po");
    assert_eq!(o["needs"][0]["href"], "/w/acme/p/ONB/backlog?q=is%3Aopen");
    let o = get(&pm).await;
    assert_eq!(
        texts(&o),
        ["No quarterly priorities are set for this quarter: the team runs without strategic direction"]
    );
    assert_eq!(
        o["gap"],
        "No priorities are set for this quarter, so nothing can be aligned to them."
    );
    assert!(texts(&get(&viewer).await).is_empty());
    // Outsiders do not learn that the product exists.
    let stranger = app.user("Stranger").await;
    assert_eq!(app.get(&stranger, path).await.status(), 404);
}

/// The running sprint with its scope, and the SM's reminder naming the last closed sprint by
/// end date (not the last one closed) until its retrospective is opened; the workspace page
/// shows the same.
#[tokio::test]
async fn the_overview_names_the_running_sprint_and_the_last_closed_sprints_retro() {
    use crate::support::scrum::{commit_and_start, ready_story, run_sprint, sprint, team, P};
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let sm = app.member(&owner, "Sam", &["sm"]).await;
    app.roles(&owner, &owner, "ONB", &["pm", "po", "dev", "sm"])
        .await;
    let team = team(&app, &owner, &sm).await;
    let weeks = |w: i64| {
        let start =
            chrono::NaiveDate::from_ymd_opt(2027, 1, 4).unwrap() + chrono::Duration::weeks(w);
        (
            start.to_string(),
            (start + chrono::Duration::days(13)).to_string(),
        )
    };
    let id = |v: Value| v["id"].as_i64().unwrap();
    let (s, e) = weeks(2);
    let later = id(sprint(&app, &sm, team, "Sprint 2", &s, &e).await);
    let (s, e) = weeks(0);
    let earlier = id(sprint(&app, &sm, team, "Sprint 1", &s, &e).await);
    let (s, e) = weeks(4);
    let running = id(sprint(&app, &sm, team, "Sprint 3", &s, &e).await);
    let story = |title: &'static str, points: i64| {
        let (app, owner) = (&app, &owner);
        async move { ready_story(app, owner, title, points, &["Given a When b Then c"]).await }
    };
    let (a, b, c) = (
        story("sign up", 3).await,
        story("log in", 5).await,
        story("reset", 2).await,
    );
    // Sprint 2 ends last, though it is closed first and was made first.
    run_sprint(
        &app,
        &owner,
        later,
        std::slice::from_ref(&b),
        std::slice::from_ref(&b),
    )
    .await;
    run_sprint(&app, &owner, earlier, std::slice::from_ref(&a), &[]).await;
    commit_and_start(&app, &owner, running, std::slice::from_ref(&c)).await;

    let overview = || async {
        let r = app
            .get(&sm, "/api/v1/workspaces/acme/products/ONB/overview")
            .await;
        assert_eq!(r.status(), 200);
        r.json::<Value>().await.unwrap()
    };
    let o = overview().await;
    assert_eq!(o["sprint"]["name"], "Sprint 3");
    assert_eq!(o["sprint"]["id"], running);
    assert_eq!(o["sprint"]["days"], 10);
    assert_eq!(o["sprint"]["scope"].to_string(), "2");
    assert_eq!(o["sprint"]["done"].to_string(), "0");
    let retro = "Sprint 2 is closed and its retrospective is not open yet";
    let has = |o: &Value, text: &str| {
        o["needs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["text"] == text && n["role"] == "sm")
    };
    assert!(has(&o, retro), "{o}");

    let html = app.get(&owner, "/w/acme").await.text().await.unwrap();
    assert!(
        html.contains("Sprint 3<div class=\"muted small\">day "),
        "{html}"
    );
    assert!(html.contains(" of 10 · 0 of 2 pts</div>"), "{html}");

    let r = app
        .post(
            &sm,
            &format!("{P}/sprints/{later}/retro"),
            serde_json::json!({"vote_limit": 2}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let o = overview().await;
    assert!(!has(&o, retro), "{o}");
    // Only the last closed sprint is asked about.
    assert!(
        !o["needs"].to_string().contains("Sprint 1 is closed"),
        "{o}"
    );
}

/// The workspace page reads every product's Overview together (one round trip for all of
/// them per step on SQLite): each row still shows its own product's sprint, alignment and
/// needs, in the order of the products, whichever of them has facts to show.
#[tokio::test]
async fn the_workspace_page_gives_each_product_its_own_overview() {
    use crate::support::scrum::{commit_and_start, ready_story, sprint, team};
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let sm = app.member(&owner, "Sam", &["sm"]).await;
    for (key, name) in [("ANA", "Analytics"), ("PAY", "Payments")] {
        let r = app
            .post(
                &owner,
                "/api/v1/workspaces/acme/products",
                serde_json::json!({"key": key, "name": name}),
            )
            .await;
        assert_eq!(r.status(), 201);
    }
    // PAY's PO has one unready item on top; ONB runs a sprint; ANA has neither.
    app.roles(&owner, &owner, "PAY", &["po"]).await;
    let r = app
        .post(
            &owner,
            "/api/v1/workspaces/acme/products/PAY/items",
            serde_json::json!({"title": "refunds"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    app.roles(&owner, &owner, "ONB", &["pm", "po", "dev", "sm"])
        .await;
    let team = team(&app, &owner, &sm).await;
    let running = sprint(&app, &sm, team, "Sprint 9", "2027-01-04", "2027-01-17").await;
    let a = ready_story(&app, &owner, "sign up", 3, &["Given a When b Then c"]).await;
    let id = running["id"].as_i64().unwrap();
    commit_and_start(&app, &owner, id, std::slice::from_ref(&a)).await;

    let html = app.get(&owner, "/w/acme").await.text().await.unwrap();
    let row = |key: &str| {
        let start = html
            .find(&format!("<td class=\"key\"><a href=\"/w/acme/p/{key}\">"))
            .unwrap_or_else(|| panic!("{key} row in {html}"));
        let end = html[start..].find("</tr>").unwrap() + start;
        html[start..end].to_string()
    };
    let (ana, onb, pay) = (row("ANA"), row("ONB"), row("PAY"));
    assert!(
        html.find("/w/acme/p/ANA\"").unwrap() < html.find("/w/acme/p/ONB\"").unwrap()
            && html.find("/w/acme/p/ONB\"").unwrap() < html.find("/w/acme/p/PAY\"").unwrap(),
        "{html}"
    );
    assert!(
        onb.contains("Sprint 9<div class=\"muted small\">day "),
        "{onb}"
    );
    assert!(onb.contains(" of 10 · 0 of 3 pts</div>"), "{onb}");
    for other in [&ana, &pay] {
        assert!(other.contains("No sprint running"), "{other}");
    }
    // The owner made ANA, so is its PM: it lacks its priorities. On PAY the owner is only the
    // PO, of one unready item on top of its backlog.
    assert!(
        ana.contains("/w/acme/p/ANA#needs-title\">1 thing</a>"),
        "{ana}"
    );
    assert!(
        pay.contains("/w/acme/p/PAY#needs-title\">1 thing</a>"),
        "{pay}"
    );
    let o = app
        .get(&owner, "/api/v1/workspaces/acme/products/PAY/overview")
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert!(
        o["needs"][0]["text"].as_str().unwrap().contains("PAY-1"),
        "{o}"
    );
}
