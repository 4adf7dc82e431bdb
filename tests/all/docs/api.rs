//! Documents over the API: content negotiation, bad input named by field, who may read them,
//! and what each document says when the data it needs is not there yet.

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::scrum::{json_ok, sprint, team, P};
use crate::support::{spawn_app, Caller, TestApp};

async fn get(app: &TestApp, who: &Caller, path: &str, accept: &str) -> reqwest::Response {
    app.req(who, Method::GET, &format!("{P}/documents/{path}"))
        .header("Accept", accept)
        .send()
        .await
        .unwrap()
}

async fn markdown(app: &TestApp, who: &Caller, path: &str) -> String {
    let r = get(app, who, path, "text/markdown").await;
    assert_eq!(r.status(), 200, "{path}");
    assert_eq!(r.headers()["content-type"], "text/markdown; charset=utf-8");
    r.text().await.unwrap()
}

pub(super) async fn initiative(app: &TestApp, pm: &Caller, title: &str) -> i64 {
    json_ok(
        app.post(pm, &format!("{P}/initiatives"), json!({"title": title}))
            .await,
        201,
    )
    .await["id"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn documents_answer_markdown_html_or_their_sources_as_asked() {
    let app = spawn_app().await;
    let pm = app.workspace().await;
    let md = markdown(&app, &pm, "brief?quarter=2026-Q4").await;
    assert!(
        md.starts_with("# Product Strategy Brief: Onboarding (ONB), 2026-Q4\n"),
        "{md}"
    );
    let html = get(&app, &pm, "brief?quarter=2026-Q4&paper=letter", "text/html").await;
    assert_eq!(html.status(), 200);
    assert_eq!(html.headers()["content-type"], "text/html; charset=utf-8");
    let html = html.text().await.unwrap();
    assert!(html.starts_with("<!doctype html>"), "{html}");
    assert!(html.contains("@page { size: letter;"));
    assert!(html.contains("<h2>Vision</h2>"));
    assert!(
        !html.contains("<nav"),
        "a printed document has no navigation"
    );
    let sources: Value = json_ok(
        get(&app, &pm, "brief?quarter=2026-Q4", "application/json").await,
        200,
    )
    .await;
    assert_eq!(sources["kind"], "brief");
    assert_eq!(
        sources["sources"],
        json!([{"kind": "vision", "key": "ONB", "version": 1}])
    );
    // No Accept, or any: Markdown, the document's own text.
    let any = get(&app, &pm, "brief?quarter=2026-Q4", "*/*").await;
    assert_eq!(any.text().await.unwrap(), md);
    let refused = get(&app, &pm, "brief", "application/pdf").await;
    assert_eq!(refused.status(), 406);
    assert_eq!(
        refused.headers()["content-type"],
        "application/problem+json"
    );
}

#[tokio::test]
async fn bad_document_requests_name_the_field_at_fault() {
    let app = spawn_app().await;
    let pm = app.workspace().await;
    for (path, field) in [
        ("memo", "kind"),
        ("blueprint", "initiative"),
        ("blueprint?initiative=999", "initiative"),
        ("brief?quarter=2026-Q9", "quarter"),
        ("brief?paper=a3", "paper"),
    ] {
        let p = json_ok(get(&app, &pm, path, "text/markdown").await, 422).await;
        assert_eq!(p["field"], field, "{path}");
    }
}

#[tokio::test]
async fn every_role_reads_the_documents_and_outsiders_do_not_see_them() {
    let app = spawn_app().await;
    let pm = app.workspace().await;
    let stakeholder = app.member(&pm, "Stella", &["stakeholder"]).await;
    assert!(markdown(&app, &stakeholder, "plan")
        .await
        .starts_with("# Implementation Plan: Onboarding (ONB)"));
    let outsider = app.user("Olga").await;
    assert_eq!(
        get(&app, &outsider, "brief", "text/markdown")
            .await
            .status(),
        404
    );
}

#[tokio::test]
async fn missing_data_is_named_with_the_way_to_add_it() {
    let app = spawn_app().await;
    let pm = app.workspace().await;
    let brief = markdown(&app, &pm, "brief?quarter=2026-Q4").await;
    for said in [
        "> **Missing:** the product has no vision statement yet. To add it:",
        "> **Missing:** no quarterly priority is set for 2026-Q4, so every backlog item is unaligned.",
        "> **Missing:** no persona is described.",
    ] {
        assert!(brief.contains(said), "{said}\n{brief}");
    }
    let empty = initiative(&app, &pm, "Dark mode").await;
    let blueprint = markdown(&app, &pm, &format!("blueprint?initiative={empty}")).await;
    assert!(blueprint.contains(&format!(
        "> **Missing:** no backlog item belongs to this initiative yet. To add it: add items on the initiative's page (Add backlog item) or with `throughline initiative link KEY --initiative {empty}`."
    )), "{blueprint}");
    assert!(blueprint.contains("> **Missing:** the problem this initiative solves is not written."));
    let plan = markdown(&app, &pm, "plan").await;
    assert!(
        plan.contains(
            "> **Missing:** no sprint is running or planned, so nothing can be forecast."
        ),
        "{plan}"
    );
    assert!(plan.contains("> **Missing:** there is no open backlog item to build."));
    // Every section heading is followed by words, never by the next heading.
    for doc in [&brief, &blueprint, &plan] {
        let lines: Vec<&str> = doc.lines().filter(|l| !l.is_empty()).collect();
        for w in lines.windows(2) {
            assert!(
                !(w[0].starts_with("## ") && w[1].starts_with("## ")),
                "an empty section: {}",
                w[0]
            );
        }
    }
}

#[tokio::test]
async fn a_sprint_with_nothing_ready_says_so_in_the_plan() {
    let app = spawn_app().await;
    let pm = app.workspace().await;
    let sm = app.member(&pm, "Sam", &["sm"]).await;
    let t = team(&app, &pm, &sm).await;
    sprint(&app, &sm, t, "Sprint 1", "2099-01-05", "2099-01-18").await;
    let i = initiative(&app, &pm, "Guided setup").await;
    // Not estimated and no criteria: not ready.
    let item = app.item(&pm, json!({"title": "Set up a workspace"})).await;
    app.link_initiative(&pm, item["key"].as_str().unwrap(), &json!(i))
        .await;
    let plan = markdown(&app, &pm, &format!("plan?initiative={i}")).await;
    assert!(
        plan.contains("> **Missing:** nothing in scope is ready, so no item can be forecast."),
        "{plan}"
    );
    assert!(
        plan.contains(
            "| 1 | ONB-1 | Set up a workspace | – | To do | no | – | cannot be forecast |"
        ),
        "{plan}"
    );
    assert!(
        plan.contains("- **Unready items:** 1 of 1: ONB-1 ("),
        "{plan}"
    );
}
