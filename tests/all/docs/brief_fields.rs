//! The initiative's problem, assumptions and out-of-scope texts (the blueprint's opening): set
//! through the initiative PATCH with its version check, refused when too long, kept when absent.

use serde_json::json;

use crate::support::cli::Cli;
use crate::support::scrum::json_ok;
use crate::support::spawn_app;

const P: &str = "/api/v1/workspaces/acme/products/ONB";

#[tokio::test]
async fn brief_fields_go_through_the_guarded_initiative_update() {
    let app = spawn_app().await;
    let pm = app.workspace().await;
    let i = json_ok(
        app.post(
            &pm,
            &format!("{P}/initiatives"),
            json!({"title": "Guided setup", "problem": "Admins stall"}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(i["problem"], "Admins stall");
    assert_eq!(i["out_of_scope"], "");
    let path = format!("{P}/initiatives/{}", i["id"]);
    let v = i["version"].as_i64().unwrap();
    let changed = json_ok(
        app.patch(
            &pm,
            &path,
            v,
            json!({"assumptions": "Templates help", "out_of_scope": "SSO"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(
        changed["problem"], "Admins stall",
        "an absent field is kept"
    );
    assert_eq!(changed["assumptions"], "Templates help");
    assert_eq!(changed["out_of_scope"], "SSO");
    // The version it was read at is stale now: refused, nothing written.
    let stale = app.patch(&pm, &path, v, json!({"problem": "Other"})).await;
    assert_eq!(stale.status(), 412);
    let long = "x".repeat(1_001);
    let bad = app.patch(&pm, &path, v + 1, json!({"problem": long})).await;
    assert_eq!(json_ok(bad, 422).await["field"], "problem");
    let now = json_ok(app.get(&pm, &path).await, 200).await;
    assert_eq!(now["problem"], "Admins stall");
    assert_eq!(now["version"], v + 1);
}

#[tokio::test]
async fn the_cli_edits_the_brief_fields() {
    let cli = Cli::demo().await;
    let out = cli.json(&[
        "initiative",
        "edit",
        "--as",
        "demo@throughline.local",
        "-w",
        "demo",
        "-p",
        "ONB",
        "4",
        "--problem",
        "Late-night users squint",
        "--json",
    ]);
    assert_eq!(out["problem"], "Late-night users squint");
    assert_eq!(out["title"], "Dark mode");
    assert!(
        !out["out_of_scope"].as_str().unwrap().is_empty(),
        "the seed wrote it; an edit keeps it"
    );
}
