//! A release's Solution Blueprint and Implementation Plan: the blueprint of each initiative it
//! ships, one level down, then the stories it ships outside them; the plan of all its items.

use reqwest::Method;
use serde_json::json;

use super::api::initiative;
use crate::support::scrum::{json_ok, P};
use crate::support::{spawn_app, Caller, TestApp};

async fn markdown(app: &TestApp, who: &Caller, path: &str) -> reqwest::Response {
    app.req(who, Method::GET, &format!("{P}/documents/{path}"))
        .header("Accept", "text/markdown")
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_release_has_a_blueprint_of_its_initiatives_and_a_plan_of_all_it_ships() {
    let app = spawn_app().await;
    let pm = app.workspace().await;
    let setup = initiative(&app, &pm, "Guided setup").await;
    let inside = app.story_in(&pm, "Setup checklist", &json!(setup)).await;
    let loose = app.story(&pm, "Faster sign-up page").await["key"]
        .as_str()
        .unwrap()
        .to_string();
    let other = initiative(&app, &pm, "Billing").await;
    app.story_in(&pm, "Invoices", &json!(other)).await;
    let release = json_ok(
        app.post(
            &pm,
            &format!("{P}/releases"),
            json!({"name": "Onboarding 2.0", "target_date": "2026-12-30", "initiatives": [setup], "items": [loose]}),
        )
        .await,
        201,
    )
    .await;
    let r = release["id"].as_i64().unwrap();

    let md = markdown(&app, &pm, &format!("blueprint?release={r}")).await;
    assert_eq!(md.status(), 200);
    let md = md.text().await.unwrap();
    assert!(
        md.starts_with("# Solution Blueprint: release Onboarding 2.0 (ONB)\n"),
        "{md}"
    );
    assert!(md.contains("| Initiatives | Guided setup |"), "{md}");
    assert!(md.contains("## Initiative: Guided setup\n"), "{md}");
    assert!(
        md.contains("\n### Problem and why now\n"),
        "headings one level down: {md}"
    );
    assert!(
        md.contains(&format!("##### {inside} Setup checklist")),
        "{md}"
    );
    assert!(md.contains("## Stories outside its initiatives"), "{md}");
    assert!(
        md.contains(&format!("| {loose} | Faster sign-up page |")),
        "{md}"
    );
    assert!(
        !md.contains("Invoices"),
        "another initiative's story is not in it"
    );
    assert_eq!(
        md.matches("\n## Sources\n").count(),
        1,
        "one sources table: {md}"
    );
    assert!(md.contains(&format!("| release | {r} | 1 |")), "{md}");
    assert!(md.contains(&format!("| initiative | {setup} |")), "{md}");

    let plan = markdown(&app, &pm, &format!("plan?release={r}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        plan.starts_with("# Implementation Plan: release Onboarding 2.0 (ONB)\n"),
        "{plan}"
    );
    assert!(
        plan.contains(&format!("| {inside} | Setup checklist |")),
        "{plan}"
    );
    assert!(
        plan.contains(&format!("| {loose} | Faster sign-up page |")),
        "{plan}"
    );
    assert!(!plan.contains("Invoices"), "{plan}");

    // The Documents tab offers them, and the download is named for the release.
    let (client, _) = crate::support::session::sign_in(&app, &pm.email).await;
    let tab = crate::support::session::page_text(
        &client,
        &app,
        &format!("/w/acme/p/ONB/documents?preview=blueprint&release={r}"),
    )
    .await;
    assert!(
        tab.contains(&format!("documents/plan.md?release={r}")),
        "{tab}"
    );
    assert!(tab.contains(&format!(
        "<input type=\"hidden\" name=\"release\" value=\"{r}\">"
    )));
    let file = client
        .get(app.url(&format!("/w/acme/p/ONB/documents/blueprint.md?release={r}")))
        .send()
        .await
        .unwrap();
    assert_eq!(
        file.headers()["content-disposition"],
        format!("attachment; filename=\"ONB-blueprint-release-{r}.md\"").as_str()
    );

    // Both scopes, or a release of nothing here: refused, naming the field.
    let both = markdown(&app, &pm, &format!("plan?release={r}&initiative={setup}")).await;
    assert_eq!(both.status(), 422);
    let body: serde_json::Value = both.json().await.unwrap();
    assert_eq!(body["field"], "release");
    let none = markdown(&app, &pm, "blueprint?release=999").await;
    assert_eq!(none.status(), 422);
    assert!(none.text().await.unwrap().contains("no release 999"));

    // A release's blueprint is sent for sign-off like any other, and notes later changes.
    let exec = app.member(&pm, "Erin", &["stakeholder"]).await;
    let r2 = app
        .req(&pm, Method::PUT, &format!("{P}/stakeholders"))
        .json(&json!({"user_id": exec.id, "group": "exec"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r2.status(), 200);
    let sent = json_ok(
        app.post(
            &pm,
            &format!("{P}/documents/blueprint/signoff"),
            json!({"title": "Release scope", "release": r}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(sent["release"], r);
    assert_eq!(sent["changed"], false);
    app.story_in(&pm, "Checklist progress bar", &json!(setup))
        .await;
    let now = markdown(&app, &pm, &format!("blueprint?release={r}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(now.contains("Changed since sent for sign-off"), "{now}");
}
