//! The audit log narrowed by person, action and days, the same on the API, the admins' page and
//! its downloads; a bad day is named, and people who are not admins see none of it.

use serde_json::{json, Value};

use crate::support::scrum::json_ok;
use crate::support::session::{page_text, sign_in};
use crate::support::spawn_app;

const AUDIT: &str = "/api/v1/workspaces/acme/audit";

fn actions(entries: &Value) -> Vec<String> {
    entries
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn the_log_is_filtered_alike_on_the_api_the_page_and_its_export() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let po = app.member(&owner, "Pat", &["po"]).await;
    app.item(&po, json!({"title": "Pat's story"})).await;
    app.item(&owner, json!({"title": "Owner's story"})).await;

    let by_pat = json_ok(
        app.get(&owner, &format!("{AUDIT}?actor={}", po.email))
            .await,
        200,
    )
    .await;
    // Newest first: Pat accepted the invitation, then wrote a story.
    assert_eq!(
        actions(&by_pat),
        vec!["item.create", "invitation.accept"],
        "{by_pat}"
    );
    let creations = json_ok(
        app.get(&owner, &format!("{AUDIT}?action=item.create"))
            .await,
        200,
    )
    .await;
    assert_eq!(actions(&creations).len(), 2);
    let today = chrono::Utc::now().date_naive();
    let tomorrow = today.succ_opt().unwrap();
    let none = json_ok(
        app.get(&owner, &format!("{AUDIT}?since={tomorrow}")).await,
        200,
    )
    .await;
    assert_eq!(actions(&none).len(), 0);
    let all_today = json_ok(
        app.get(&owner, &format!("{AUDIT}?since={today}&until={today}"))
            .await,
        200,
    )
    .await;
    let everything = json_ok(app.get(&owner, AUDIT).await, 200).await;
    assert_eq!(actions(&all_today), actions(&everything));
    let e = json_ok(
        app.get(&owner, &format!("{AUDIT}?until=30-11-2026")).await,
        422,
    )
    .await;
    assert_eq!(e["field"], "until");
    let csv = app
        .get(&owner, &format!("{AUDIT}/export?action=item.create"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(csv.lines().count(), 3, "a header and two rows: {csv}");

    // The page: the same filter, chosen in the form, kept in its download.
    let (client, _) = sign_in(&app, &owner.email).await;
    let page = page_text(
        &client,
        &app,
        &format!("/w/acme/admin/audit?actor={}", po.email),
    )
    .await;
    // Rows show their action as code; the form's choice lists every action.
    assert!(page.contains("<code>item.create</code>"), "{page}");
    assert!(!page.contains("<code>product.create</code>"), "{page}");
    assert!(page.contains(&format!(
        "export?format=csv&amp;actor={}",
        po.email.replace('@', "%40")
    )));
    let download = client
        .get(app.url(&format!(
            "/w/acme/admin/audit/export?format=csv&actor={}",
            po.email
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(download.status(), 200);
    assert!(download.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("acme-audit.csv"));
    let body = download.text().await.unwrap();
    assert_eq!(body.lines().count(), 3, "{body}");
    // Oldest first in a download.
    assert!(
        body.find("invitation.accept") < body.find("item.create"),
        "{body}"
    );
    let bad = page_text(&client, &app, "/w/acme/admin/audit?since=soon").await;
    assert!(
        bad.contains("since: &#34;soon&#34; is not a day") || bad.contains("is not a day"),
        "{bad}"
    );

    // Not an admin: neither the page nor its download.
    let (pat, _) = sign_in(&app, &po.email).await;
    for path in ["/w/acme/admin/audit", "/w/acme/admin/audit/export"] {
        let r = pat.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 403, "{path}");
    }
}

#[tokio::test]
async fn the_cli_reads_the_filtered_log_and_exports_it_as_csv() {
    use crate::support::cli::Cli;
    let cli = Cli::new().await;
    cli.acme("ada@example.com");
    let who = ["--as", "ada@example.com", "-w", "acme"];
    let run = |extra: &[&str]| cli.json(&[&["audit"][..], &who, extra, &["--json"]].concat());
    let all = run(&[]);
    let expected = ["roles.set", "product.create", "workspace.create"];
    assert_eq!(actions(&all), expected, "{all}");
    let products = run(&["--action", "product.create"]);
    assert_eq!(actions(&products), vec!["product.create"]);
    let csv = cli.ok(&[&["audit"][..], &who, &["--csv", "--since", "2020-01-01"]].concat());
    assert_eq!(csv.lines().count(), 4, "{csv}");
    assert!(csv.starts_with("id,at,actor,action"));
    let err = cli.fails(&[&["audit"][..], &who, &["--until", "tomorrow"]].concat());
    assert!(err.contains("--until"), "{err}");
}
