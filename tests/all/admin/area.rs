//! A workspace's admin area and its getting-started checklist: admins only, each step ticked
//! by the data, members' tokens listed and revoked (through the pages, the API and the CLI).

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::cli::Cli;
use crate::support::session::{page_text, sign_in};
use crate::support::{spawn_app, Caller, TestApp};

async fn list(app: &TestApp, who: &Caller) -> Value {
    let r = app.get(who, "/api/v1/workspaces/acme/checklist").await;
    r.json().await.unwrap()
}

#[tokio::test]
async fn the_checklist_ticks_itself_from_the_data() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let steps = |v: &Value| -> Vec<bool> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|s| s["done"].as_bool().unwrap())
            .collect()
    };
    let first = list(&app, &owner).await;
    assert_eq!(steps(&first), vec![false, false, false, false], "{first}");
    app.member(&owner, "Pat", &["po"]).await; // a second person, and a PO who is not the PM
    app.roles(&owner, &owner, "ONB", &["pm"]).await;
    app.story(&owner, "First story").await;
    let now = list(&app, &owner).await;
    assert_eq!(steps(&now), vec![true, true, true, false], "{now}");
    // The workspace page names the one step left and links to it.
    let (client, _) = sign_in(&app, &owner.email).await;
    let home = page_text(&client, &app, "/w/acme").await;
    assert!(
        home.contains("1 step left. Next: <a href=\"/w/acme/p/ONB/strategy\">Set")
            && !home.contains("Invite your team"),
        "{home}"
    );
    let quarter = throughline::calendar::Quarter::of(throughline::calendar::today()).to_string();
    let base = "/api/v1/workspaces/acme/products/ONB";
    let o = app
        .post(
            &owner,
            &format!("{base}/objectives"),
            json!({"quarter": quarter, "title": "Grow"}),
        )
        .await;
    assert_eq!(o.status(), 201);
    let o: Value = o.json().await.unwrap();
    let r = app
        .post(
            &owner,
            &format!("{base}/priorities"),
            json!({"quarter": quarter, "title": "Activation", "objectives": [o["id"]],
                   "reason": "first priorities of the quarter"}),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    assert_eq!(steps(&list(&app, &owner).await), vec![true; 4]);
    let home = page_text(&client, &app, "/w/acme").await;
    assert!(!home.contains("Getting started"), "{home}");
    let page = page_text(&client, &app, "/w/acme/start").await;
    assert!(page.contains("4 of 4 done"), "{page}");
}

#[tokio::test]
async fn the_admin_area_shows_roles_tokens_and_the_audit_log_to_admins_only() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let dev = app.member(&owner, "Dev", &["dev"]).await;
    let (admin_client, csrf) = sign_in(&app, &owner.email).await;
    let page = page_text(&admin_client, &app, "/w/acme/admin").await;
    assert!(page.contains("Products and their PM and PO"), "{page}");
    assert!(page.contains("Owner"), "the PM and PO by name");
    assert!(page.contains("invitation.accept"), "recent changes: {page}");
    let (dev_client, _) = sign_in(&app, &dev.email).await;
    let r = dev_client
        .get(app.url("/w/acme/admin"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = dev_client.get(app.url("/admin")).send().await.unwrap();
    assert_eq!(r.status(), 403);
    let audit = page_text(&admin_client, &app, "/w/acme/admin/audit").await;
    assert!(audit.contains("product.create"), "{audit}");

    // Tokens of members: listed without secrets, revoked by an admin, then useless.
    let tokens: Value = app
        .get(&owner, "/api/v1/workspaces/acme/tokens")
        .await
        .json()
        .await
        .unwrap();
    let of_dev = tokens
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["owner_email"] == dev.email.as_str())
        .unwrap()
        .clone();
    assert!(!tokens.to_string().contains(&dev.token), "never the secret");
    assert_eq!(
        app.get(&dev, "/api/v1/workspaces/acme/tokens")
            .await
            .status(),
        403
    );
    let id = of_dev["id"].as_i64().unwrap();
    let r = admin_client
        .post(app.url(&format!("/w/acme/admin/tokens/{id}/revoke")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(app.get(&dev, "/api/v1/workspaces").await.status(), 401);
    let r = app
        .req(
            &owner,
            Method::DELETE,
            &format!("/api/v1/workspaces/acme/tokens/{id}"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404, "gone already");
    let audit = page_text(&admin_client, &app, "/w/acme/admin/audit").await;
    assert!(audit.contains("token.revoke"), "{audit}");

    // The instance's page and its settings form, with the version check.
    let inst = page_text(&admin_client, &app, "/admin").await;
    assert!(
        inst.contains("Instance administration") && inst.contains("/w/acme"),
        "{inst}"
    );
    let r = admin_client
        .post(app.url("/admin/settings"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("version", "1"),
            ("workspace_creation", "admins"),
            ("signup", "invitation"),
            ("allowed_domains", "example.com"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = admin_client
        .post(app.url("/admin/settings"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("version", "1"),
            ("workspace_creation", "anyone"),
            ("signup", "invitation"),
            ("allowed_domains", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 412, "a stale form is refused, not applied");
    let s: Value = app
        .get(&owner, "/api/v1/instance/settings")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(s["workspace_creation"], "admins");
}

#[tokio::test]
async fn the_cli_lists_and_revokes_members_tokens_and_shows_the_checklist() {
    let cli = Cli::demo().await;
    cli.ok(&[
        "token",
        "create",
        "--email",
        "dev@throughline.local",
        "--name",
        "laptop",
    ]);
    let who = ["--as", "demo@throughline.local", "-w", "demo"];
    let listed = cli.json(&[&["admin", "tokens"][..], &who, &["--json"]].concat());
    let t = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "laptop")
        .unwrap()
        .clone();
    let id = t["id"].as_i64().unwrap().to_string();
    let refused = cli.fails(&[
        "admin",
        "tokens",
        "--as",
        "dev@throughline.local",
        "-w",
        "demo",
    ]);
    assert!(refused.contains("only admins"), "{refused}");
    let out = cli.ok(&[&["admin", "revoke-token"][..], &who, &[id.as_str()]].concat());
    assert!(out.contains("revoked"), "{out}");
    let listed = cli.json(&[&["admin", "tokens"][..], &who, &["--json"]].concat());
    assert!(listed
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["name"] != "laptop"));
    let steps = cli.ok(&[&["admin", "checklist"][..], &who].concat());
    assert!(steps.contains("[x] Invite your team"), "{steps}");
}

#[tokio::test]
async fn the_instance_page_lists_backups_and_warns_without_a_recent_one() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let (client, _) = sign_in(&app, &owner.email).await;
    let page = page_text(&client, &app, "/admin").await;
    if !app.db.is_sqlite() {
        assert!(page.contains("pg_dump"), "{page}");
        return;
    }
    assert!(
        page.contains("id=\"backup-warning\""),
        "no backup yet: {page}"
    );
    assert!(page.contains("No backup yet."));
    let dir = app.folder().join("backups");
    let taken = throughline::backup::store::take(&app.db, &dir)
        .await
        .unwrap();
    let page = page_text(&client, &app, "/admin").await;
    assert!(
        !page.contains("id=\"backup-warning\""),
        "a fresh backup: {page}"
    );
    assert!(page.contains(&taken.name), "{page}");
}
